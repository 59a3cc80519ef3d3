/*
 * sluice.h - the whole of libsluice, for programs that use most of it.
 */
#ifndef SLUICE_H
#define SLUICE_H

#include "arena.h"
#include "buf.h"
#include "coltype.h"
#include "counts.h"
#include "dec.h"
#include "diag.h"
#include "expr.h"
#include "filter.h"
#include "hash.h"
#include "held.h"
#include "jcheck.h"
#include "jsonw.h"
#include "live.h"
#include "num.h"
#include "opts.h"
#include "out.h"
#include "progress.h"
#include "reader.h"
#include "rec.h"
#include "reject.h"
#include "schema.h"
#include "src.h"
#include "stats.h"
#include "strset.h"
#include "ts.h"
#include "utf8.h"
#include "val.h"
#include "where.h"
#include "writer.h"

#endif
