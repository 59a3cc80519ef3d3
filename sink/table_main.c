/*
 * table_main.c - the main() of sqlite-sink and pg-sink: table.c run with
 * the program's dialect (table_dialect, defined by sqlite-sink.c or by
 * pg-sink.c, whichever is linked with this).
 */
#include "table.h"

int
main(int argc, char **argv)
{
	return table_main(argc, argv, &table_dialect);
}
