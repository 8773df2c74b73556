/*
 * riskgate FPGA simulation: a driver-like C ABI over the Verilated pipeline (hdl/).
 *
 * The model is clocked only inside the calls below; nothing runs in the background.
 * One handle = one simulated card. All functions are synchronous; a handle must not be
 * used from two threads at once.
 *
 * Typical use:
 *   rg_sim *s = rg_sim_open(0);
 *   rg_sim_config(s, blob, blob_len);             // start-of-day config (spec section 10)
 *   rg_sim_push_packet(s, pkt, pkt_len);           // one MoldUDP64 packet (repeat)
 *   rg_sim_run(s, 0);                              // clock until everything is processed
 *   n = rg_sim_pull_records(s, buf, cap);          // 32-byte records (spec section 11)
 *   rg_sim_close(s);
 */
#ifndef RISKGATE_SIM_H
#define RISKGATE_SIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rg_sim rg_sim;

/* Error codes (negative). Positive values returned by rg_sim_config are the hardware's
 * config error codes (STATUS CFG_ERROR field; the [[config_errors]] of contract/riskgate.toml,
 * rg::contract::cfg_error in rg_contract.h). */
#define RG_SIM_OK           0
#define RG_SIM_E_ARG       -1   /* bad argument */
#define RG_SIM_E_SIZE      -2   /* config blob size does not match its header */
#define RG_SIM_E_NOTREADY  -3   /* no valid config loaded */
#define RG_SIM_E_TIMEOUT   -4   /* the model did not finish within the cycle budget */
#define RG_SIM_E_NOTRACE   -5   /* built without FST support */
#define RG_SIM_E_IO        -6   /* trace file could not be opened */

/* Build parameters and sizes of the model, for rg_sim_info(). */
typedef struct rg_sim_info_t {
    uint32_t max_symbols, max_accounts, window_ticks, set_bits, ways;
    uint32_t record_bytes;     /* 32 */
    uint32_t latency_bytes;    /* 32: one latency stamp */
    uint32_t has_fst;          /* 1 when FST tracing is compiled in */
} rg_sim_info_t;

/* Opens a simulated card: constructs the model (uninitialised state randomised from
 * `seed`), applies reset and waits for the clear sweeps. flags: reserved, 0. */
rg_sim *rg_sim_open(uint64_t seed, uint32_t flags);
void    rg_sim_close(rg_sim *s);
void    rg_sim_info(rg_sim_info_t *out);

/* Pulses reset (pipeline state and config cleared; queued input, records and stamps are
 * dropped) and waits until the card is idle. Returns the cycles it took. */
int64_t rg_sim_reset(rg_sim *s);

/* Writes the start-of-day config blob through the register port and loads it. Returns 0,
 * a positive hardware error code, or a negative RG_SIM_E_* code. After a refused blob the
 * card keeps its error (hdl/rg_config.v): call rg_sim_reset before loading another, or this
 * returns the old code again. */
int     rg_sim_config(rg_sim *s, const uint8_t *blob, uint32_t len);

/* Input pacing: a beat is offered on `offer_num` of every `offer_den` cycles (1/1 = as
 * fast as accepted); m_axis_tready is high on `ready_num` of every `ready_den` cycles. */
void    rg_sim_set_pacing(rg_sim *s, uint32_t offer_num, uint32_t offer_den,
                          uint32_t ready_num, uint32_t ready_den);

/* Queues one client order or venue answer frame (spec section 18.7: the message bytes without
 * the length prefix) on the order-entry input, behind every market-data packet queued so far;
 * tuser = its position in the merged stream, k << 48 | P. The model keeps the host rule: the
 * frame is offered once the market-data beats before it are accepted, and market data queued
 * after it waits until its last beat is accepted. */
int     rg_sim_push_order(rg_sim *s, const uint8_t *frame, uint32_t len, uint64_t tuser);

/* Queues one MoldUDP64 packet (one AXI-Stream packet). */
int     rg_sim_push_packet(rg_sim *s, const uint8_t *pkt, uint32_t len);
/* Queues several packets, each prefixed by its length as a little-endian u32. Returns the
 * number of packets queued or a negative error. */
int64_t rg_sim_push_packets(rg_sim *s, const uint8_t *buf, uint64_t len);

/* Queues Ethernet frames (spec section 17: no FCS) on the Ethernet input, each prefixed by its
 * length as a little-endian u32; they are offered as fast as accepted. The stream is checked
 * whole before anything is queued. Returns the number of frames queued or RG_SIM_E_ARG. */
int64_t rg_sim_push_frames(rg_sim *s, const uint8_t *buf, uint64_t len);

/* Queues raw beats on one input, as given (fault injection: tkeep is not checked here, so a
 * test can offer what a faulty MAC or DMA would, spec sections 15, 17, 18.7). Each beat is
 * RG_SIM_BEAT_BYTES bytes: tdata little-endian (byte 0 = lane 0), tkeep, tlast (0/1); the last
 * beat must have tlast. input: RG_SIM_INPUT_MOLD (s_axis), RG_SIM_INPUT_ETH (s_eth_axis) or
 * RG_SIM_INPUT_ORDER (s_axis_order, tuser 0, each packet behind the market data queued so far).
 * Returns the number of beats queued or RG_SIM_E_ARG. */
#define RG_SIM_BEAT_BYTES   10
#define RG_SIM_INPUT_MOLD   0
#define RG_SIM_INPUT_ETH    1
#define RG_SIM_INPUT_ORDER  2
int64_t rg_sim_push_beats(rg_sim *s, uint32_t input, const uint8_t *buf, uint64_t len);

/* Clocks the model until all queued input has been accepted and the pipeline is idle
 * (max_cycles 0 = a generous default). Returns the cycles run, or RG_SIM_E_TIMEOUT. */
int64_t rg_sim_run(rg_sim *s, uint64_t max_cycles);
/* Clocks exactly n cycles (input is still fed). */
void    rg_sim_step(rg_sim *s, uint64_t n);

/* Records and latency stamps collected so far (bytes), and copies of them (consumed). */
uint64_t rg_sim_records_pending(rg_sim *s);
uint64_t rg_sim_pull_records(rg_sim *s, uint8_t *out, uint64_t cap);
uint64_t rg_sim_latency_pending(rg_sim *s);
uint64_t rg_sim_pull_latency(rg_sim *s, uint8_t *out, uint64_t cap);

/* Register port (byte addresses: rg::contract::reg, spec section 15). A read clocks the model. */
int      rg_sim_read_reg(rg_sim *s, uint32_t addr, uint32_t *value);
int      rg_sim_write_reg(rg_sim *s, uint32_t addr, uint32_t value);

/* The hardware cycle counter (read through the register port). */
uint64_t rg_sim_cycles(rg_sim *s);

/* Statistics of spec section 12 read from the card, in this order (rg::contract::stats,
 * the contract's [stats] counters):
 * [0] messages [1] unknown_ref [2] table_full [3] flagged [4] tob [5] decisions
 * [6] accepted [7] rejected [8] fills [9] controls [10] stash_inserts [11] ghost_inserts
 * [12] untracked_drops [13] collision_clears [14] live_peak [15] stash_peak [16] ghost_peak
 * [17..21] problems[1..5]
 * [22..277] by_type[0..255]
 * [278] rx packets [279] rx bad packets [280] rx gaps [281] rx duplicates
 * [282] rx count mismatches [283] next expected seq
 * Returns the number of values written (at most n). */
int      rg_sim_stats(rg_sim *s, uint64_t *out, uint32_t n);
#define  RG_SIM_NSTATS 284

/* Harness counters: [0] cycles simulated [1] input beats accepted [2] cycles a beat was
 * offered but tready was low [3] cycles tready was low [4] records [5] packets pushed
 * [6] output beats stalled by m_axis_tready low. */
int      rg_sim_counters(rg_sim *s, uint64_t *out, uint32_t n);
void     rg_sim_clear_counters(rg_sim *s);

/* FST waveform trace: a path starts tracing to that file, NULL or "" stops. */
int      rg_sim_trace(rg_sim *s, const char *path);

#ifdef __cplusplus
}
#endif
#endif
