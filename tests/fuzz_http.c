/* libFuzzer target for the HTTP response parser (section 5).
 *
 * The first byte picks the body cap and how the input is cut into pieces;
 * the rest is fed as a response, then EOF.  Invariants: the parser never
 * reads or writes out of bounds (ASan), the body never exceeds its cap, a
 * finished parse stays finished, an error stays an error.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* One parser for the whole run: init must fully reset it. */
	static struct http_parser p;
	if (size == 0)
		return 0;
	size_t max_body = (size_t)(data[0] & 0x0f) * 64 + 1; /* small caps reach the limit paths */
	size_t step = (size_t)(data[0] >> 4) + 1;             /* 1..16 byte pieces */
	if (data[0] & 0x80)
		step = SIZE_MAX;                              /* whole */
	const char *in = (const char *)data + 1;
	size_t len = size - 1, off = 0;
	http_parser_init(&p, max_body, (data[0] & 0x40) != 0);
	int r = HTTP_NEED_MORE;
	while (off < len && r == HTTP_NEED_MORE) {
		size_t n = len - off < step ? len - off : step, used = 0;
		r = http_parse_feed(&p, in + off, n, &used);
		if (used > n || (r == HTTP_NEED_MORE && used != n))
			__builtin_trap();
		off += used;
	}
	if (r == HTTP_NEED_MORE)
		r = http_parse_eof(&p);
	if (p.res.body.len > max_body)
		__builtin_trap();
	size_t used;
	int again = http_parse_feed(&p, "x", 1, &used);
	if ((r == HTTP_DONE && again != HTTP_DONE) || (r < 0 && again != r))
		__builtin_trap();
	if (r < 0 && http_parse_errstr(&p)[0] == '\0')
		__builtin_trap();
	return 0;
}
