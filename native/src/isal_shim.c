/*
 * ISA-L's inflate (libisal.so.2, loaded at run time by isal.rs) behind four calls with plain
 * arguments, so that the Rust side never mirrors `struct inflate_state`: its layout comes from
 * the header this file is compiled against, and the library's soname (major 2) promises the
 * same ABI. Raw deflate only: gzip_stream.rs parses the gzip wrapper and checks CRC and length.
 */
#include <isa-l/igzip_lib.h>
#include <stdint.h>
#include <stdlib.h>

typedef void (*rg_init_fn)(struct inflate_state *);
typedef int (*rg_inflate_fn)(struct inflate_state *);

struct rg_isal {
	struct inflate_state state;
	rg_init_fn init;
	rg_inflate_fn inflate;
};

static void rg_isal_start(struct rg_isal *s)
{
	s->init(&s->state);
	s->state.crc_flag = ISAL_DEFLATE;
}

struct rg_isal *rg_isal_new(void *init, void *inflate)
{
	struct rg_isal *s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->init = (rg_init_fn)init;
	s->inflate = (rg_inflate_fn)inflate;
	rg_isal_start(s);
	return s;
}

void rg_isal_reset(struct rg_isal *s)
{
	rg_isal_start(s);
}

/*
 * One step: inflates from in[0..in_len) into out[0..out_len). Returns ISA-L's status (< 0 is
 * corrupt data); *used and *made say how much was taken and written, *finished whether the
 * deflate stream ended. ISA-L reads ahead into a 64-bit bit buffer: when the stream ends, the
 * whole bytes still in it (at most 8) come after the deflate data — the gzip trailer — and are
 * copied to held[0..*held_len) for the caller to read next (they are counted in *used).
 */
int rg_isal_step(struct rg_isal *s, const uint8_t *in, uint32_t in_len, uint8_t *out, uint32_t out_len,
		 uint32_t *used, uint32_t *made, int *finished, uint8_t held[8], uint32_t *held_len)
{
	s->state.next_in = (uint8_t *)in;
	s->state.avail_in = in_len;
	s->state.next_out = out;
	s->state.avail_out = out_len;
	int r = s->inflate(&s->state);
	*used = in_len - s->state.avail_in;
	*made = out_len - s->state.avail_out;
	*finished = s->state.block_state == ISAL_BLOCK_FINISH;
	*held_len = 0;
	if (*finished && s->state.read_in_length > 0) {
		/* The low read_in_length % 8 bits are the rest of the last deflate byte. */
		uint32_t bytes = (uint32_t)s->state.read_in_length / 8;
		uint64_t bits = s->state.read_in >> (s->state.read_in_length % 8);
		for (uint32_t i = 0; i < bytes && i < 8; i++)
			held[i] = (uint8_t)(bits >> (8 * i));
		*held_len = bytes < 8 ? bytes : 8;
		s->state.read_in = 0;
		s->state.read_in_length = 0;
	}
	return r;
}

void rg_isal_free(struct rg_isal *s)
{
	free(s);
}
