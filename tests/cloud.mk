## tests/cloud: libbluetti-cloud (algorithms, envelope; later login and the simulated cloud).
check_PROGRAMS += tests/cloud/test_cloud_crypto
TESTS += tests/cloud/test_cloud_crypto
tests_cloud_test_cloud_crypto_SOURCES = tests/cloud/test_cloud_crypto.c
tests_cloud_test_cloud_crypto_CFLAGS = $(TEST_CFLAGS)
tests_cloud_test_cloud_crypto_LDADD = core/cloud/libbluetti-cloud.la $(TEST_LIBS)
