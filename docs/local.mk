## docs/local.mk: the generated block reference.
## docs/BLOCKS.md is printed by `bluetti-tool docs` from the plugins built in
## this tree and committed; tests/tools/bluetti-tool/docs.sh fails when it is stale.
## Regenerate it with `make update-docs` (writes into the source tree).
update-docs: tools/bluetti-tool$(EXEEXT) $(plugin_LTLIBRARIES)
	$(AM_V_GEN)$(top_builddir)/tools/bluetti-tool --no-config --no-plugin-search \
	  --plugin-dir '$(abs_top_builddir)/plugins/.libs' docs >'$(srcdir)/docs/BLOCKS.md.tmp' \
	  && mv -f '$(srcdir)/docs/BLOCKS.md.tmp' '$(srcdir)/docs/BLOCKS.md'
	@echo "docs/BLOCKS.md updated; review and commit it"
.PHONY: update-docs
