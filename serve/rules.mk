# serve/: dashboard.cgi.
PROGRAMS += $(B)/dashboard.cgi
SERVE_OBJ := $(patsubst %.c,$(O)/%.o,$(wildcard serve/*.c))
LIBS_dashboard.cgi := -lsqlite3 $(call pc_libs,libpq)

$(B)/dashboard.cgi: $(SERVE_OBJ) $(LIBA)
	$(link)
