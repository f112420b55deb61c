## data/devices: the simulator's device images, generated from the unit
## files in data/devices/units/ through the block schemas (make-images).
## `make update-images` rewrites the images in the source tree.
noinst_PROGRAMS += data/devices/make-images
data_devices_make_images_SOURCES = data/devices/make-images.c
data_devices_make_images_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
data_devices_make_images_LDADD = core/libbluetti.la $(JANSSON_LIBS) $(LIBM)

## IMAGE_FLAGS=--sim-compat writes images for an older sim loader (no
## "envelope" key, no Modbus address 0).
IMAGE_FLAGS ?=
update-images: data/devices/make-images$(EXEEXT) $(plugin_LTLIBRARIES)
	$(AM_V_GEN)for u in $(srcdir)/data/devices/units/*.json; do \
	  n=$$(basename "$$u"); \
	  $(top_builddir)/data/devices/make-images '$(abs_top_builddir)/plugins/.libs' "$$u" \
	    "$(srcdir)/data/devices/$$n.tmp" $(IMAGE_FLAGS) && \
	  mv -f "$(srcdir)/data/devices/$$n.tmp" "$(srcdir)/data/devices/$$n" || exit 1; \
	done
	@echo "data/devices/*.json updated; review and commit them"
.PHONY: update-images
