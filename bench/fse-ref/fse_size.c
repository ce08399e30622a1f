/*
 * fse_size: size of FSE's (zstd's Finite State Entropy) whole compressed stream for a file of
 * u8 symbols at one fixed tableLog, verified by decompressing. Reference figures for
 * bench/container-vs-fse.ts. Our code; zstd's library (lib/common, lib/compress) stays outside
 * the project and is linked in by bench/fse-ref/build.sh.
 *
 *   fse_size <symbols.u8 | -> <tableLog> [--low-prob auto|0|1]
 *
 * Path taken (zstd's low-level FSE API, the steps of the former FSE_compress2, but with the
 * tableLog kept exactly as given instead of FSE_optimalTableLog's choice):
 *   HIST_count -> FSE_normalizeCount -> FSE_writeNCount (header) -> FSE_buildCTable_wksp ->
 *   FSE_compress_usingCTable (bitstream: two interleaved states, their final values flushed,
 *   an end mark, byte padding) -> FSE_decompress_wksp_bmi2 on header + stream (verification).
 *
 * Output, one JSON object on stdout:
 *   {"zstdVersion", "symbols", "tableLog", "maxSymbolValue", "presentSymbols", "useLowProbCount",
 *    "lowProbSymbols", "rle", "headerBytes", "streamBytes", "totalBytes", "verified",
 *    "fse2WouldStoreRaw", "fse2Reason"}
 * RLE input (one distinct symbol): FSE does not code it (FSE_normalizeCount returns 0, the
 * former FSE_compress2 returned 1 = "store the byte once"); reported as rle: true,
 * headerBytes 0, streamBytes 1, totalBytes 1, verified by construction.
 * "fse2WouldStoreRaw": the former FSE_compress2 would have declined to compress (its
 * heuristics: every symbol at most once, most frequent count < n/128, or output >= n - 1
 * bytes); the sizes are still those of the FSE stream.
 *
 * Limits (zstd's FSE): tableLog in [FSE_MIN_TABLELOG, FSE_MAX_TABLELOG] (5..12 with the default
 * FSE_MAX_MEMORY_USAGE 14) and at least min(highbit(n) + 1, highbit(maxSymbolValue) + 2);
 * at least 3 symbols (FSE_compress_usingCTable returns 0 for n <= 2); n < 2^32 (counts and the
 * normalization step are 32-bit; this driver caps n at 2^31 - 1).
 *
 * Exit codes: 0 ok, 1 FSE error or verification failure, 2 usage or input error.
 */
#define FSE_STATIC_LINKING_ONLY
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zstd.h"   /* ZSTD_VERSION_STRING only */
#include "fse.h"
#include "hist.h"

#define MAX_INPUT ((size_t)0x7fffffff)

static int usage(const char *msg)
{
    if (msg) fprintf(stderr, "fse_size: %s\n", msg);
    fprintf(stderr,
            "usage: fse_size <symbols.u8 | -> <tableLog> [--low-prob auto|0|1]\n"
            "  symbols: one byte per symbol; tableLog: %d..%d (table size L = 2^tableLog)\n"
            "  --low-prob: FSE_normalizeCount's useLowProbCount (auto = n >= 2048, as zstd's FSE_compress2)\n",
            FSE_MIN_TABLELOG, FSE_MAX_TABLELOG);
    return 2;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf;
    if (!f) return NULL;
    buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (cap > MAX_INPUT) break; /* caller rejects n > MAX_INPUT */
        cap *= 2;
        { unsigned char *nb = realloc(buf, cap); if (!nb) { free(buf); buf = NULL; } else buf = nb; }
    }
    if (f != stdin) fclose(f);
    *size = n;
    return buf;
}

static int fse_fail(const char *step, size_t code)
{
    fprintf(stderr, "fse_size: %s failed: %s\n", step, FSE_getErrorName(code));
    return 1;
}

static unsigned highbit(size_t v) { unsigned r = 0; while (v >>= 1) r++; return r; }

int main(int argc, char **argv)
{
    const char *path;
    char *end;
    long tl;
    int lowProb = -1; /* auto */
    size_t n = 0;
    unsigned char *src;
    unsigned count[FSE_MAX_SYMBOL_VALUE + 1];
    short norm[FSE_MAX_SYMBOL_VALUE + 1];
    unsigned maxSymbolValue = FSE_MAX_SYMBOL_VALUE, tableLog, present = 0, lowProbSymbols = 0, s;
    size_t maxCount;
    int i;

    if (argc < 3) return usage(NULL);
    path = argv[1];
    tl = strtol(argv[2], &end, 10);
    if (*argv[2] == '\0' || *end != '\0') return usage("tableLog must be an integer");
    if (tl < FSE_MIN_TABLELOG || tl > FSE_MAX_TABLELOG) {
        fprintf(stderr, "fse_size: tableLog %ld is outside FSE's range %d..%d (FSE_MIN_TABLELOG..FSE_MAX_TABLELOG)\n",
                tl, FSE_MIN_TABLELOG, FSE_MAX_TABLELOG);
        return 2;
    }
    tableLog = (unsigned)tl;
    for (i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--low-prob") == 0 && i + 1 < argc) {
            const char *v = argv[++i];
            if (strcmp(v, "auto") == 0) lowProb = -1;
            else if (strcmp(v, "0") == 0) lowProb = 0;
            else if (strcmp(v, "1") == 0) lowProb = 1;
            else return usage("--low-prob takes auto, 0 or 1");
        } else return usage("unknown argument");
    }

    src = read_all(path, &n);
    if (!src) { fprintf(stderr, "fse_size: cannot read '%s'\n", path); return 2; }
    if (n > MAX_INPUT) { fprintf(stderr, "fse_size: input larger than %zu symbols (FSE counts are 32-bit)\n", MAX_INPUT); return 2; }
    if (n <= 2) { fprintf(stderr, "fse_size: %zu symbols; FSE needs at least 3 (FSE_compress_usingCTable returns 0 for n <= 2)\n", n); return 2; }
    if (lowProb < 0) lowProb = n >= 2048;

    maxCount = HIST_count(count, &maxSymbolValue, src, n);
    if (HIST_isError(maxCount)) return fse_fail("HIST_count", maxCount);
    for (s = 0; s <= maxSymbolValue; s++) present += count[s] != 0;

    if (maxCount == n) { /* RLE: FSE does not code a single-symbol source */
        printf("{\"zstdVersion\": \"%s\", \"symbols\": %zu, \"tableLog\": %u, \"maxSymbolValue\": %u, \"presentSymbols\": 1, "
               "\"useLowProbCount\": %d, \"lowProbSymbols\": 0, \"rle\": true, \"headerBytes\": 0, \"streamBytes\": 1, \"totalBytes\": 1, "
               "\"verified\": true, \"fse2WouldStoreRaw\": false, \"fse2Reason\": \"rle: one distinct symbol, FSE_compress2 returned 1\"}\n",
               ZSTD_VERSION_STRING, n, tableLog, maxSymbolValue, lowProb);
        free(src);
        return 0;
    }

    {
        unsigned minBitsSrc = highbit(n) + 1, minBitsSym = highbit(maxSymbolValue) + 2;
        unsigned minLog = minBitsSrc < minBitsSym ? minBitsSrc : minBitsSym;
        if (tableLog < minLog) {
            fprintf(stderr, "fse_size: tableLog %u is below FSE's minimum %u for maxSymbolValue %u and %zu symbols "
                            "(FSE_minTableLog = min(highbit(n)+1, highbit(maxSymbolValue)+2))\n", tableLog, minLog, maxSymbolValue, n);
            free(src);
            return 1;
        }
    }

    {
        size_t r = FSE_normalizeCount(norm, tableLog, count, n, maxSymbolValue, (unsigned)lowProb);
        if (FSE_isError(r)) return fse_fail("FSE_normalizeCount", r);
        for (s = 0; s <= maxSymbolValue; s++) lowProbSymbols += norm[s] == -1;
    }

    {
        size_t const hcap = FSE_NCountWriteBound(maxSymbolValue, tableLog);
        size_t const scap = FSE_BLOCKBOUND(n);
        unsigned char *buf = malloc(hcap + scap);
        FSE_CTable *ct = malloc(FSE_CTABLE_SIZE(tableLog, maxSymbolValue));
        size_t headerBytes, streamBytes, total, got;
        int verified;
        const char *reason = "";
        if (!buf || !ct) { fprintf(stderr, "fse_size: out of memory\n"); return 1; }

        headerBytes = FSE_writeNCount(buf, hcap, norm, maxSymbolValue, tableLog);
        if (FSE_isError(headerBytes)) return fse_fail("FSE_writeNCount", headerBytes);
        {
            /* FSE_buildCTable is declared in fse.h but only the _wksp form is defined. The
             * workspace gets 64 bytes of slack: with an odd maxSymbolValue the macro's integer
             * halving leaves it 2 bytes short of what the spread writes (cumul + tableSymbol +
             * spread + 8; seen under AddressSanitizer with zstd 1.5.6, maxSymbolValue 255). */
            size_t const wsize = FSE_BUILD_CTABLE_WORKSPACE_SIZE(maxSymbolValue, tableLog) + 64;
            void *ws = malloc(wsize);
            size_t r;
            if (!ws) { fprintf(stderr, "fse_size: out of memory\n"); return 1; }
            r = FSE_buildCTable_wksp(ct, norm, maxSymbolValue, tableLog, ws, wsize);
            free(ws);
            if (FSE_isError(r)) return fse_fail("FSE_buildCTable_wksp", r);
        }
        streamBytes = FSE_compress_usingCTable(buf + headerBytes, scap, src, n, ct);
        if (FSE_isError(streamBytes)) return fse_fail("FSE_compress_usingCTable", streamBytes);
        if (streamBytes == 0) { fprintf(stderr, "fse_size: FSE_compress_usingCTable returned 0 (output did not fit %zu bytes)\n", scap); return 1; }
        total = headerBytes + streamBytes;

        { /* verification: FSE's own decoder on header + stream */
            size_t const wkspSize = FSE_DECOMPRESS_WKSP_SIZE(tableLog, FSE_MAX_SYMBOL_VALUE);
            void *wksp = malloc(wkspSize);
            unsigned char *out = malloc(n + 16);
            short rnorm[FSE_MAX_SYMBOL_VALUE + 1];
            unsigned rmax = FSE_MAX_SYMBOL_VALUE, rlog = 0;
            size_t hread;
            if (!wksp || !out) { fprintf(stderr, "fse_size: out of memory\n"); return 1; }
            hread = FSE_readNCount(rnorm, &rmax, &rlog, buf, total);
            if (FSE_isError(hread)) return fse_fail("FSE_readNCount (verification)", hread);
            if (hread != headerBytes || rlog != tableLog) {
                fprintf(stderr, "fse_size: verification failed: header read back as %zu bytes / tableLog %u, written %zu / %u\n",
                        hread, rlog, headerBytes, tableLog);
                return 1;
            }
            got = FSE_decompress_wksp_bmi2(out, n + 16, buf, total, tableLog, wksp, wkspSize, 0);
            if (FSE_isError(got)) return fse_fail("FSE_decompress_wksp_bmi2 (verification)", got);
            verified = got == n && memcmp(out, src, n) == 0;
            free(out);
            free(wksp);
        }
        if (!verified) {
            fprintf(stderr, "fse_size: verification failed: decoded %zu symbols, %s\n", got,
                    got == n ? "contents differ" : "count differs");
            return 1;
        }

        if (maxCount == 1) reason = "every symbol present at most once";
        else if (maxCount < (n >> 7)) reason = "most frequent count < n/128";
        else if (total >= n - 1) reason = "output >= n - 1 bytes";

        printf("{\"zstdVersion\": \"%s\", \"symbols\": %zu, \"tableLog\": %u, \"maxSymbolValue\": %u, \"presentSymbols\": %u, "
               "\"useLowProbCount\": %d, \"lowProbSymbols\": %u, \"rle\": false, \"headerBytes\": %zu, \"streamBytes\": %zu, "
               "\"totalBytes\": %zu, \"verified\": true, \"fse2WouldStoreRaw\": %s, \"fse2Reason\": \"%s\"}\n",
               ZSTD_VERSION_STRING, n, tableLog, maxSymbolValue, present, lowProb, lowProbSymbols, headerBytes, streamBytes,
               total, *reason ? "true" : "false", reason);
        free(buf);
        free(ct);
    }
    free(src);
    return 0;
}
