## data/devices: the simulator's device images, generated from the unit
## files in data/devices/units/ through the block schemas (make-images).
## `make update-images` rewrites the images in the source tree.
## Built with jansson only (it reads and writes JSON); without it the
## committed images and builtin_images.c are used as they are.
if HAVE_JANSSON
noinst_PROGRAMS += data/devices/make-images
endif HAVE_JANSSON
data_devices_make_images_SOURCES = data/devices/make-images.c
data_devices_make_images_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
data_devices_make_images_LDADD = core/libbluetti.la $(JANSSON_LIBS) $(LIBM)

## IMAGE_FLAGS=--sim-compat writes images for an older sim loader (no
## "envelope" key, no Modbus address 0).
## Then transport-sim's built-in images (the same images as C data, for a
## build without jansson) are written from them.
IMAGE_FLAGS ?=
BUILTIN_IMAGES = plugins/transport-sim/builtin_images.c
if HAVE_JANSSON
update-images: data/devices/make-images$(EXEEXT) $(plugin_LTLIBRARIES)
	$(AM_V_GEN)for u in $(srcdir)/data/devices/units/*.json; do \
	  n=$$(basename "$$u"); \
	  $(top_builddir)/data/devices/make-images '$(abs_top_builddir)/plugins/.libs' "$$u" \
	    "$(srcdir)/data/devices/$$n.tmp" $(IMAGE_FLAGS) && \
	  mv -f "$(srcdir)/data/devices/$$n.tmp" "$(srcdir)/data/devices/$$n" || exit 1; \
	done
	$(AM_V_GEN)$(top_builddir)/data/devices/make-images --builtin '$(srcdir)/data/devices' \
	  '$(srcdir)/$(BUILTIN_IMAGES).tmp' && \
	  mv -f '$(srcdir)/$(BUILTIN_IMAGES).tmp' '$(srcdir)/$(BUILTIN_IMAGES)'
	@echo "data/devices/*.json and $(BUILTIN_IMAGES) updated; review and commit them"
else
update-images:
	@echo "update-images: this build has no jansson (make-images reads and writes JSON); install libjansson-dev and run configure again" >&2; exit 1
endif
.PHONY: update-images
