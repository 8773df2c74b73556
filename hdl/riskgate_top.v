// riskgate pre-trade risk engine: top level.
//
//   s_axis (64-bit MoldUDP64) -> rg_moldudp64_rx -> rg_itch_parser (+ rg_symbol_dir) -> FIFO
//     -> rg_book_engine (rg_order_table, rg_book) -> rg_tob -> rg_strategy -> rg_risk
//     -> rg_record_fmt -> m_axis (256-bit, one 32-byte record per beat) + latency stamps
//
// Register port (32-bit words, byte addresses; reads answer with reg_rd_valid):
//   0x0000-0x3FFF  config blob (spec section 10), write; read back
//   0x8000  CONTROL   W  bit0 LOAD the blob (start of day), bit1 SOFT_RESET
//   0x8004  STATUS    R  bit0 ready, bit1 loading, bit2 clearing, bit3 idle, bit4 gap seen,
//                        bit5 end of session seen, [15:8] config error, [23:16] error index
//   0x8008  PARAM0    R  MAX_SYMBOLS, MAX_ACCOUNTS, SET_BITS, WAYS (bytes 0..3)
//   0x800C  PARAM1    R  WINDOW_TICKS
//   0x8010  CYCLE_LO  R  free-running cycle counter (0x8014 CYCLE_HI)
//   0x8018  ID        R  0x52470001 ("RG", register map version 1)
//   0x8020  RX_PACKETS, 0x8024 RX_BAD_PACKETS, 0x8028 RX_GAPS, 0x802C RX_DUPS,
//   0x8030  RX_COUNT_MISMATCH, 0x8034/0x8038 NEXT_SEQ lo/hi, 0x803C SESSION
//   0x9000-0x9FFF  statistics (rg_stats), word address = (addr - 0x9000) >> 2
`default_nettype none
`include "rg_defs.vh"
module riskgate_top #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer MAX_ACCOUNTS = 64,
    parameter integer WINDOW_TICKS = 4096,
    parameter integer SET_BITS     = 14,
    parameter integer WAYS         = 4,
    parameter integer FIFO_AW      = 3
) (
    input  wire         clk,
    input  wire         rst,

    input  wire [63:0]  s_axis_tdata,
    input  wire [7:0]   s_axis_tkeep,
    input  wire         s_axis_tvalid,
    output wire         s_axis_tready,
    input  wire         s_axis_tlast,

    output wire [255:0] m_axis_tdata,
    output wire [31:0]  m_axis_tkeep,
    output wire         m_axis_tvalid,
    input  wire         m_axis_tready,
    output wire         m_axis_tlast,

    output wire         m_lat_valid,
    output wire [255:0] m_lat_data,

    input  wire         reg_wr_en,
    input  wire [15:0]  reg_wr_addr,
    input  wire [31:0]  reg_wr_data,
    input  wire         reg_rd_en,
    input  wire [15:0]  reg_rd_addr,
    output reg          reg_rd_valid,
    output reg  [31:0]  reg_rd_data,

    output wire [63:0]  cycle_count,
    output wire         ready,
    output wire         idle
);
    localparam integer SYM_W     = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1;
    localparam integer ACCT_W    = (MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1;
    localparam integer IDX_W     = $clog2(WINDOW_TICKS);
    localparam integer MSG_BYTES = 50;
    localparam [7:0]   P_MS      = MAX_SYMBOLS[7:0];
    localparam [7:0]   P_MA      = MAX_ACCOUNTS[7:0];
    localparam [7:0]   P_SB      = SET_BITS[7:0];
    localparam [7:0]   P_WAYS    = WAYS[7:0];
    localparam [31:0]  P_WIN     = WINDOW_TICKS;

    // ---------------------------------------------------------------- reset, cycle counter
    reg        soft_rst_q;
    wire       rst_i = rst || soft_rst_q;
    reg [63:0] cycle_q;
    always @(posedge clk) begin
        if (rst) begin
            soft_rst_q <= 1'b0;
            cycle_q    <= 64'd0;
        end else begin
            soft_rst_q <= reg_wr_en && reg_wr_addr == 16'h8000 && reg_wr_data[1];
            cycle_q    <= cycle_q + 64'd1;
        end
    end
    assign cycle_count = cycle_q;

    // ---------------------------------------------------------------- configuration
    wire                      cfg_ready, cfg_loading;
    wire [7:0]                cfg_error, cfg_err_index, cfg_ns, cfg_na;
    wire [15:0]               cfg_tick;
    wire [48:0]               cfg_recip;
    wire [5:0]                cfg_w_shift;
    wire                      cfg_gate;
    wire [31:0]               cfg_session, cfg_imb_num, cfg_imb_den, cfg_max_spread, cfg_clip;
    wire [63:0]               cfg_cooldown;
    wire [MAX_SYMBOLS*64-1:0] cfg_names;
    wire                      init_hdr_we, init_global_kill, init_sym_we, init_sym_kill, init_acct_we;
    wire [SYM_W-1:0]          init_sym_idx;
    wire [ACCT_W-1:0]         init_sym_acct, init_acct_idx;
    wire [15:0]               init_sym_collar;
    wire [31:0]               init_sym_max_qty, init_sym_pos_limit, init_sym_pos, init_acct_id, init_acct_max_orders;
    wire [63:0]               init_sym_max_notional, init_acct_credit, init_acct_used;
    wire [31:0]               blob_rd;

    rg_config #(.MAX_SYMBOLS(MAX_SYMBOLS), .MAX_ACCOUNTS(MAX_ACCOUNTS), .WINDOW_TICKS(WINDOW_TICKS)) u_config (
        .clk(clk), .rst(rst_i),
        .wr_en(reg_wr_en), .wr_addr(reg_wr_addr), .wr_data(reg_wr_data),
        .rd_en(reg_rd_en && reg_rd_addr[15:14] == 2'b00), .rd_addr(reg_rd_addr), .rd_data(blob_rd),
        .ready(cfg_ready), .loading(cfg_loading), .error(cfg_error), .err_index(cfg_err_index),
        .n_symbols(cfg_ns), .n_accounts(cfg_na), .tick(cfg_tick), .tick_recip(cfg_recip),
        .w_shift(cfg_w_shift), .gate(cfg_gate), .session(cfg_session), .imb_num(cfg_imb_num),
        .imb_den(cfg_imb_den), .cooldown(cfg_cooldown), .max_spread(cfg_max_spread), .clip(cfg_clip),
        .names(cfg_names),
        .init_hdr_we(init_hdr_we), .init_global_kill(init_global_kill),
        .init_sym_we(init_sym_we), .init_sym_idx(init_sym_idx), .init_sym_acct(init_sym_acct),
        .init_sym_kill(init_sym_kill), .init_sym_collar(init_sym_collar), .init_sym_max_qty(init_sym_max_qty),
        .init_sym_max_notional(init_sym_max_notional), .init_sym_pos_limit(init_sym_pos_limit),
        .init_sym_pos(init_sym_pos),
        .init_acct_we(init_acct_we), .init_acct_idx(init_acct_idx), .init_acct_id(init_acct_id),
        .init_acct_max_orders(init_acct_max_orders), .init_acct_credit(init_acct_credit),
        .init_acct_used(init_acct_used)
    );

    wire dir_busy, eng_busy;
    wire clearing = dir_busy || eng_busy;
    assign ready  = cfg_ready && !clearing;

    // ---------------------------------------------------------------- front end
    wire                   rx_valid, rx_ready, rx_trunc, rx_has_type, rx_ctrl;
    wire [MSG_BYTES*8-1:0] rx_data;
    wire [15:0]            rx_len;
    wire [63:0]            rx_seq, rx_toff, rx_tlast, rx_next_seq;
    wire [31:0]            rx_pkts, rx_bad, rx_gaps, rx_dups, rx_mism;
    wire                   rx_gap_seen, rx_eos_seen, rx_idle;

    rg_moldudp64_rx #(.MSG_BYTES(MSG_BYTES)) u_rx (
        .clk(clk), .rst(rst_i), .enable(ready), .cycle(cycle_q),
        .s_axis_tdata(s_axis_tdata), .s_axis_tkeep(s_axis_tkeep), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),
        .m_valid(rx_valid), .m_ready(rx_ready), .m_data(rx_data), .m_len(rx_len), .m_trunc(rx_trunc),
        .m_has_type(rx_has_type), .m_ctrl(rx_ctrl), .m_seq(rx_seq), .m_t_offer(rx_toff), .m_t_last(rx_tlast),
        .stat_packets(rx_pkts), .stat_bad_packets(rx_bad), .stat_gaps(rx_gaps), .stat_dups(rx_dups),
        .stat_count_mismatch(rx_mism), .gap_seen(rx_gap_seen), .eos_seen(rx_eos_seen),
        .next_seq(rx_next_seq), .idle(rx_idle)
    );

    // ---------------------------------------------------------------- parser
    wire         p_valid, p_ready;
    wire [3:0]   p_op;
    wire [47:0]  p_seq, p_ts;
    wire [63:0]  p_toff, p_tlast, p_ref, p_ref2;
    wire [15:0]  p_locate;
    wire         p_buy;
    wire [31:0]  p_shares, p_price, p_q;
    wire [7:0]   p_code, p_rkind, p_rsym, p_raux;
    wire [127:0] p_rpay;
    wire         st_valid, st_msg, st_type_valid, st_control;
    wire [7:0]   st_type, st_problem;
    wire [63:0]  p_last_seq;
    wire         p_idle;

    rg_itch_parser #(.MSG_BYTES(MSG_BYTES)) u_parser (
        .clk(clk), .rst(rst_i),
        .cfg_n_symbols(cfg_ns), .cfg_n_accounts(cfg_na), .cfg_tick_recip(cfg_recip),
        .s_valid(rx_valid), .s_ready(rx_ready), .s_data(rx_data), .s_len(rx_len), .s_trunc(rx_trunc),
        .s_has_type(rx_has_type), .s_ctrl(rx_ctrl), .s_seq(rx_seq), .s_t_offer(rx_toff), .s_t_last(rx_tlast),
        .m_valid(p_valid), .m_ready(p_ready), .m_op(p_op), .m_seq(p_seq), .m_ts(p_ts),
        .m_t_offer(p_toff), .m_t_last(p_tlast), .m_locate(p_locate), .m_ref(p_ref), .m_ref2(p_ref2),
        .m_buy(p_buy), .m_shares(p_shares), .m_price(p_price), .m_code(p_code),
        .m_q(p_q), .m_rkind(p_rkind), .m_rsym(p_rsym), .m_raux(p_raux), .m_rpay(p_rpay),
        .st_valid(st_valid), .st_msg(st_msg), .st_type_valid(st_type_valid), .st_type(st_type),
        .st_problem(st_problem), .st_control(st_control),
        .dir_rd_en(dir_rd_en), .dir_wr_en(dir_wr_en), .dir_locate(dir_locate), .dir_stock(dir_stock),
        .last_seq(p_last_seq), .idle(p_idle)
    );

    // ---------------------------------------------------------------- directory (beside the parser)
    wire             d_sym_valid;
    wire [SYM_W-1:0] d_sym;
    wire             dir_rd_en, dir_wr_en;
    wire [15:0]      dir_locate;
    wire [63:0]      dir_stock;
    rg_symbol_dir #(.MAX_SYMBOLS(MAX_SYMBOLS)) u_dir (
        .clk(clk), .rst(rst_i),
        .cfg_names(cfg_names), .cfg_n_symbols(cfg_ns),
        .rd_en(dir_rd_en), .wr_en(dir_wr_en), .locate(dir_locate), .stock(dir_stock),
        .sym_valid(d_sym_valid), .sym(d_sym), .busy(dir_busy)
    );

    // ---------------------------------------------------------------- FIFO to the book engine
    // (bypassed when empty: no latency unless the book engine is busy)
    localparam integer PB_W = 4 + 48 + 48 + 64 + 64 + 16 + 64 + 64 + 1 + 32 + 32 + 8 + 32 + 8 + 8 + 8 + 128;
    localparam integer FB_W = PB_W + 1 + SYM_W;
    wire [PB_W-1:0]   p_bundle = {p_op, p_seq, p_ts, p_toff, p_tlast, p_locate, p_ref, p_ref2, p_buy,
                                  p_shares, p_price, p_code, p_q, p_rkind, p_rsym, p_raux, p_rpay};
    wire              f_valid, f_ready;
    wire [FB_W-1:0]   f_data;
    wire [FIFO_AW:0]  f_count;
    rg_fifo #(.WIDTH(FB_W), .ADDR_W(FIFO_AW), .BYPASS(1)) u_fifo (
        .clk(clk), .rst(rst_i),
        .s_valid(p_valid), .s_ready(p_ready), .s_data({p_bundle, d_sym_valid, d_sym}),
        .m_valid(f_valid), .m_ready(f_ready), .m_data(f_data), .count(f_count)
    );
    wire [3:0]       f_op;
    wire [47:0]      f_seq, f_ts;
    wire [63:0]      f_toff, f_tlast, f_ref, f_ref2;
    wire [15:0]      f_locate;
    wire             f_buy, f_sym_valid;
    wire [31:0]      f_shares, f_price, f_q;
    wire [7:0]       f_code, f_rkind, f_rsym, f_raux;
    wire [127:0]     f_rpay;
    wire [SYM_W-1:0] f_sym;
    assign {f_op, f_seq, f_ts, f_toff, f_tlast, f_locate, f_ref, f_ref2, f_buy, f_shares, f_price, f_code,
            f_q, f_rkind, f_rsym, f_raux, f_rpay, f_sym_valid, f_sym} = f_data;

    // ---------------------------------------------------------------- book engine
    wire             e_valid, e_ready, e_touch, e_bid_v, e_ask_v, st_unknown_ref, st_table_full, e_idle;
    wire [`RG_EV_W-1:0]  e_ev;
    wire [SYM_W-1:0] e_sym;
    wire [7:0]       e_flags;
    wire [IDX_W-1:0] e_bid_i, e_ask_i;
    wire [31:0]      e_bid_s, e_ask_s, e_base;

    rg_book_engine #(.MAX_SYMBOLS(MAX_SYMBOLS), .WINDOW_TICKS(WINDOW_TICKS), .SET_BITS(SET_BITS),
                     .WAYS(WAYS), .EV_WIDTH(`RG_EV_W)) u_engine (
        .clk(clk), .rst(rst_i), .cfg_tick(cfg_tick),
        .s_valid(f_valid), .s_ready(f_ready), .s_op(f_op), .s_seq(f_seq), .s_ts(f_ts),
        .s_t_offer(f_toff), .s_t_last(f_tlast), .s_locate(f_locate), .s_ref(f_ref), .s_ref2(f_ref2),
        .s_buy(f_buy), .s_shares(f_shares), .s_price(f_price), .s_code(f_code), .s_q(f_q),
        .s_sym_valid(f_sym_valid), .s_sym(f_sym), .s_rkind(f_rkind),
        .s_rsym(f_rsym), .s_raux(f_raux), .s_rpay(f_rpay),
        .m_valid(e_valid), .m_ready(e_ready), .m_ev(e_ev), .m_touch(e_touch), .m_sym(e_sym),
        .m_flags(e_flags), .m_bid_valid(e_bid_v), .m_bid_idx(e_bid_i), .m_bid_sz(e_bid_s),
        .m_ask_valid(e_ask_v), .m_ask_idx(e_ask_i), .m_ask_sz(e_ask_s), .m_base_q(e_base),
        .st_unknown_ref(st_unknown_ref), .st_table_full(st_table_full), .busy(eng_busy), .idle(e_idle)
    );

    // ---------------------------------------------------------------- analytics / TOB
    wire             t_valid, t_ready, t_tob, st_tob, st_flagged, t_idle;
    wire [`RG_EV_W-1:0]  t_ev;
    wire [SYM_W-1:0] t_sym;
    wire [7:0]       t_flags;
    wire [31:0]      t_bpx, t_bsz, t_apx, t_asz;
    wire             t_buy_ok, t_sell_ok;
    rg_tob #(.MAX_SYMBOLS(MAX_SYMBOLS), .WINDOW_TICKS(WINDOW_TICKS), .EV_WIDTH(`RG_EV_W)) u_tob (
        .clk(clk), .rst(rst_i), .cfg_tick(cfg_tick), .cfg_imb_num(cfg_imb_num), .cfg_imb_den(cfg_imb_den),
        .s_valid(e_valid), .s_ready(e_ready), .s_ev(e_ev), .s_touch(e_touch), .s_sym(e_sym),
        .s_flags(e_flags), .s_bid_valid(e_bid_v), .s_bid_idx(e_bid_i), .s_bid_sz(e_bid_s),
        .s_ask_valid(e_ask_v), .s_ask_idx(e_ask_i), .s_ask_sz(e_ask_s), .s_base_q(e_base),
        .m_valid(t_valid), .m_ready(t_ready), .m_ev(t_ev), .m_sym(t_sym), .m_flags(t_flags),
        .m_tob(t_tob), .m_bid_px(t_bpx), .m_bid_sz(t_bsz), .m_ask_px(t_apx), .m_ask_sz(t_asz),
        .m_buy_ok(t_buy_ok), .m_sell_ok(t_sell_ok),
        .st_tob(st_tob), .st_flagged(st_flagged), .idle(t_idle)
    );

    // ---------------------------------------------------------------- strategy
    wire             g_valid, g_ready, g_tob, g_dec, g_buy, g_idle;
    wire [`RG_EV_W-1:0]  g_ev;
    wire [SYM_W-1:0] g_sym;
    wire [7:0]       g_flags;
    wire [31:0]      g_bpx, g_bsz, g_apx, g_asz, g_px, g_qty;
    rg_strategy #(.MAX_SYMBOLS(MAX_SYMBOLS), .EV_WIDTH(`RG_EV_W)) u_strategy (
        .clk(clk), .rst(rst_i),
        .cfg_cooldown(cfg_cooldown), .cfg_max_spread(cfg_max_spread), .cfg_clip(cfg_clip),
        .s_valid(t_valid), .s_ready(t_ready), .s_ev(t_ev), .s_sym(t_sym), .s_flags(t_flags), .s_tob(t_tob),
        .s_bid_px(t_bpx), .s_bid_sz(t_bsz), .s_ask_px(t_apx), .s_ask_sz(t_asz),
        .s_buy_ok(t_buy_ok), .s_sell_ok(t_sell_ok),
        .m_valid(g_valid), .m_ready(g_ready), .m_ev(g_ev), .m_sym(g_sym), .m_flags(g_flags), .m_tob(g_tob),
        .m_bid_px(g_bpx), .m_bid_sz(g_bsz), .m_ask_px(g_apx), .m_ask_sz(g_asz),
        .m_dec(g_dec), .m_dec_buy(g_buy), .m_dec_price(g_px), .m_dec_qty(g_qty), .idle(g_idle)
    );

    // ---------------------------------------------------------------- risk
    wire              r_valid, r_ready, r_tob, r_dec, r_buy, r_acc, r_idle;
    wire              st_decision, st_accepted, st_rejected;
    wire [`RG_EV_W-1:0]   r_ev;
    wire [SYM_W-1:0]  r_sym;
    wire [7:0]        r_flags;
    wire [31:0]       r_bpx, r_bsz, r_apx, r_asz, r_px, r_qty, r_acct_id, r_pos;
    wire [15:0]       r_reasons;
    wire [ACCT_W-1:0] r_acct;
    rg_risk #(.MAX_SYMBOLS(MAX_SYMBOLS), .MAX_ACCOUNTS(MAX_ACCOUNTS), .EV_WIDTH(`RG_EV_W)) u_risk (
        .clk(clk), .rst(rst_i),
        .cfg_gate(cfg_gate), .cfg_w_shift(cfg_w_shift),
        .init_hdr_we(init_hdr_we), .init_global_kill(init_global_kill),
        .init_sym_we(init_sym_we), .init_sym_idx(init_sym_idx), .init_sym_acct(init_sym_acct),
        .init_sym_kill(init_sym_kill), .init_sym_collar(init_sym_collar), .init_sym_max_qty(init_sym_max_qty),
        .init_sym_max_notional(init_sym_max_notional), .init_sym_pos_limit(init_sym_pos_limit),
        .init_sym_pos(init_sym_pos),
        .init_acct_we(init_acct_we), .init_acct_idx(init_acct_idx), .init_acct_id(init_acct_id),
        .init_acct_max_orders(init_acct_max_orders), .init_acct_credit(init_acct_credit),
        .init_acct_used(init_acct_used),
        .s_valid(g_valid), .s_ready(g_ready), .s_ev(g_ev), .s_sym(g_sym), .s_flags(g_flags), .s_tob(g_tob),
        .s_bid_px(g_bpx), .s_bid_sz(g_bsz), .s_ask_px(g_apx), .s_ask_sz(g_asz),
        .s_dec(g_dec), .s_dec_buy(g_buy), .s_dec_price(g_px), .s_dec_qty(g_qty),
        .m_valid(r_valid), .m_ready(r_ready), .m_ev(r_ev), .m_sym(r_sym), .m_flags(r_flags), .m_tob(r_tob),
        .m_bid_px(r_bpx), .m_bid_sz(r_bsz), .m_ask_px(r_apx), .m_ask_sz(r_asz),
        .m_dec(r_dec), .m_dec_buy(r_buy), .m_dec_price(r_px), .m_dec_qty(r_qty),
        .m_reasons(r_reasons), .m_accepted(r_acc), .m_acct_idx(r_acct), .m_acct_id(r_acct_id),
        .m_pos_after(r_pos),
        .st_decision(st_decision), .st_accepted(st_accepted), .st_rejected(st_rejected), .idle(r_idle)
    );

    // ---------------------------------------------------------------- record formatter
    wire fmt_idle;
    rg_record_fmt #(.EV_WIDTH(`RG_EV_W), .SYM_W(SYM_W), .ACCT_W(ACCT_W)) u_fmt (
        .clk(clk), .rst(rst_i), .cycle(cycle_q),
        .s_valid(r_valid), .s_ready(r_ready), .s_ev(r_ev), .s_sym(r_sym), .s_flags(r_flags), .s_tob(r_tob),
        .s_bid_px(r_bpx), .s_bid_sz(r_bsz), .s_ask_px(r_apx), .s_ask_sz(r_asz),
        .s_dec(r_dec), .s_dec_buy(r_buy), .s_dec_price(r_px), .s_dec_qty(r_qty), .s_reasons(r_reasons),
        .s_accepted(r_acc), .s_acct_idx(r_acct), .s_acct_id(r_acct_id), .s_pos_after(r_pos),
        .m_axis_tdata(m_axis_tdata), .m_axis_tkeep(m_axis_tkeep), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast),
        .lat_valid(m_lat_valid), .lat_data(m_lat_data), .idle(fmt_idle)
    );

    // ---------------------------------------------------------------- statistics
    wire        stats_rd_valid;
    wire [31:0] stats_rd_data;
    rg_stats u_stats (
        .clk(clk), .rst(rst_i),
        .ev_msg(st_valid && st_msg), .ev_type_valid(st_valid && st_type_valid), .ev_type(st_type),
        .ev_problem(st_valid ? st_problem : 8'd0), .ev_control(st_valid && st_control),
        .ev_unknown_ref(st_unknown_ref), .ev_table_full(st_table_full), .ev_flagged(st_flagged),
        .ev_tob(st_tob), .ev_decision(st_decision), .ev_accepted(st_accepted), .ev_rejected(st_rejected),
        .rd_en(reg_rd_en && reg_rd_addr[15:12] == 4'h9), .rd_addr(reg_rd_addr[11:2]),
        .rd_valid(stats_rd_valid), .rd_data(stats_rd_data)
    );

    assign idle = rx_idle && p_idle && !f_valid && e_idle && t_idle && g_idle && r_idle && fmt_idle;

    // ---------------------------------------------------------------- register reads
    reg        rd_blob_q, rd_reg_q;
    reg [31:0] rd_reg_data_q;
    always @(posedge clk) begin
        if (rst_i) begin
            rd_blob_q     <= 1'b0;
            rd_reg_q      <= 1'b0;
            rd_reg_data_q <= 32'd0;
        end else begin
            rd_blob_q <= reg_rd_en && reg_rd_addr[15:14] == 2'b00;
            rd_reg_q  <= reg_rd_en && reg_rd_addr[15:12] == 4'h8;
            case (reg_rd_addr[7:0])
                8'h04: rd_reg_data_q <= {8'd0, cfg_err_index, cfg_error, 2'd0, rx_eos_seen, rx_gap_seen,
                                         idle, clearing, cfg_loading, ready};
                8'h08: rd_reg_data_q <= {P_WAYS, P_SB, P_MA, P_MS};
                8'h0C: rd_reg_data_q <= P_WIN;
                8'h10: rd_reg_data_q <= cycle_q[31:0];
                8'h14: rd_reg_data_q <= cycle_q[63:32];
                8'h18: rd_reg_data_q <= 32'h5247_0001;
                8'h20: rd_reg_data_q <= rx_pkts;
                8'h24: rd_reg_data_q <= rx_bad;
                8'h28: rd_reg_data_q <= rx_gaps;
                8'h2C: rd_reg_data_q <= rx_dups;
                8'h30: rd_reg_data_q <= rx_mism;
                8'h34: rd_reg_data_q <= rx_next_seq[31:0];
                8'h38: rd_reg_data_q <= rx_next_seq[63:32];
                8'h3C: rd_reg_data_q <= cfg_session;
                default: rd_reg_data_q <= 32'd0;
            endcase
        end
    end
    always @(*) begin
        reg_rd_valid = rd_blob_q || rd_reg_q || stats_rd_valid;
        reg_rd_data  = rd_blob_q ? blob_rd : rd_reg_q ? rd_reg_data_q : stats_rd_data;
    end

    wire unused_top = ^{f_count, p_last_seq, reg_rd_addr[11:8], reg_rd_addr[13:12]};
endmodule
`default_nettype wire
