## tests/reliability.mk: fault-injection and hostile-input tests (issue 7).
