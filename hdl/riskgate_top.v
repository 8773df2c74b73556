// riskgate pre-trade risk engine: top level.
//
//   s_eth_axis (Ethernet frames) -> rg_eth_rx --+
//   s_axis (64-bit MoldUDP64) -----------------+-> rg_moldudp64_rx -> rg_itch_parser (+ rg_symbol_dir) -> FIFO
//     -> rg_book_engine (rg_order_table, rg_book) -> rg_tob -> rg_strategy -> rg_risk
//     -> rg_record_fmt -> m_axis (256-bit, one 32-byte record per beat) + latency stamps
//   s_axis_order (client order and venue frames, spec section 18.7) -> rg_order_rx -> rg_risk,
//     each frame released at its position in the merged stream (tuser)
//   rg_eth_rx's order-entry port (ETH_ORDER_PORT) ---------------^  (at the Ethernet input's
//     position: offered once the market data before it has entered the risk stage)
//
// Register port (32-bit words, byte addresses; every read answers with reg_rd_valid): the
// register map of the contract (RG_REG_*, spec section 15): the config blob window (write,
// read back), CONTROL (LOAD, SOFT_RESET), STATUS, PARAM0/1, CYCLE_LO/HI, ID, the front end's
// counters, SESSION, and the statistics window (rg_stats). Unknown addresses read 0.
`default_nettype none
`include "rg_contract.vh"
module riskgate_top #(
    // the spec parameters (docs/spec.md section 1) by default
    parameter integer MAX_SYMBOLS  = `RG_MAX_SYMBOLS_DEFAULT,
    parameter integer MAX_ACCOUNTS = `RG_MAX_ACCOUNTS_DEFAULT,
    parameter integer WINDOW_TICKS = `RG_WINDOW_TICKS_DEFAULT,
    parameter integer SET_BITS     = `RG_SET_BITS_DEFAULT,
    parameter integer WAYS         = `RG_WAYS_DEFAULT,
    parameter integer STASH_SLOTS  = `RG_STASH_SLOTS_DEFAULT,
    parameter integer GHOST_SLOTS  = `RG_GHOST_SLOTS_DEFAULT,
    parameter integer FIFO_AW      = 3
) (
    input  wire         clk,
    input  wire         rst,

    input  wire [63:0]  s_axis_tdata,
    input  wire [7:0]   s_axis_tkeep,
    input  wire         s_axis_tvalid,
    output wire         s_axis_tready,
    input  wire         s_axis_tlast,

    // Ethernet frames (spec section 17), through rg_eth_rx into the same MoldUDP64 front end
    input  wire [63:0]  s_eth_axis_tdata,
    input  wire [7:0]   s_eth_axis_tkeep,
    input  wire         s_eth_axis_tvalid,
    output wire         s_eth_axis_tready,
    input  wire         s_eth_axis_tlast,

    // client order and venue answer frames (spec section 18.7): one frame per packet,
    // tuser = {k, P} its position in the merged stream
    input  wire [63:0]  s_axis_order_tdata,
    input  wire [7:0]   s_axis_order_tkeep,
    input  wire         s_axis_order_tvalid,
    output wire         s_axis_order_tready,
    input  wire         s_axis_order_tlast,
    input  wire [63:0]  s_axis_order_tuser,

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
    localparam integer MSG_BYTES = `RG_ITCH_MAX_LEN;
    localparam [31:0]  P_WIN     = WINDOW_TICKS;

    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_MAX_ACCOUNTS(MAX_ACCOUNTS)
        `RG_CHECK_WINDOW_TICKS(WINDOW_TICKS)
        `RG_CHECK_SET_BITS(SET_BITS)
        `RG_CHECK_WAYS(WAYS)
        `RG_CHECK_STASH_SLOTS(STASH_SLOTS)
        `RG_CHECK_GHOST_SLOTS(GHOST_SLOTS)
        if (FIFO_AW < 1 || FIFO_AW > 8) begin
            $error("riskgate_top: FIFO_AW = %0d out of range 1..8 (instance %m)", FIFO_AW);
            $finish;
        end
    end

    // register windows (aligned powers of two)
    localparam [16:0] BLOB_MASK  = ~(`RG_REG_BLOB_SIZE - 17'd1);
    localparam [16:0] STATS_MASK = ~(`RG_REG_STATS_SIZE - 17'd1);
    wire       rd_in_blob  = (({1'b0, reg_rd_addr} & BLOB_MASK) == {1'b0, `RG_REG_BLOB});
    wire       rd_in_stats = (({1'b0, reg_rd_addr} & STATS_MASK) == {1'b0, `RG_REG_STATS});
    wire [15:0] stats_off  = reg_rd_addr - `RG_REG_STATS;
    localparam [16:0] ETH_DROPS_MASK = ~(`RG_REG_ETH_DROPS_SIZE - 17'd1);
    wire        rd_in_eth_drops = (({1'b0, reg_rd_addr} & ETH_DROPS_MASK) == {1'b0, `RG_REG_ETH_DROPS});
    wire [15:0] eth_drops_off   = reg_rd_addr - `RG_REG_ETH_DROPS;

    // PARAM0: the build parameters, one byte each
    reg [31:0] param0;
    always @(*) begin
        param0 = 32'd0;
        param0[`RG_PARAM0_MAX_SYMBOLS_LO +: `RG_PARAM0_MAX_SYMBOLS_W]   = MAX_SYMBOLS[`RG_PARAM0_MAX_SYMBOLS_W-1:0];
        param0[`RG_PARAM0_MAX_ACCOUNTS_LO +: `RG_PARAM0_MAX_ACCOUNTS_W] = MAX_ACCOUNTS[`RG_PARAM0_MAX_ACCOUNTS_W-1:0];
        param0[`RG_PARAM0_SET_BITS_LO +: `RG_PARAM0_SET_BITS_W]         = SET_BITS[`RG_PARAM0_SET_BITS_W-1:0];
        param0[`RG_PARAM0_WAYS_LO +: `RG_PARAM0_WAYS_W]                 = WAYS[`RG_PARAM0_WAYS_W-1:0];
    end

    // ---------------------------------------------------------------- reset, cycle counter
    reg        soft_rst_q;
    wire       rst_i = rst || soft_rst_q;
    reg [63:0] cycle_q;
    always @(posedge clk) begin
        if (rst) begin
            soft_rst_q <= 1'b0;
            cycle_q    <= 64'd0;
        end else begin
            soft_rst_q <= reg_wr_en && reg_wr_addr == `RG_REG_CONTROL && reg_wr_data[`RG_CONTROL_SOFT_RESET];
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
    wire [63:0]               cfg_fingerprint;
    wire [63:0]               cfg_cooldown;
    wire [MAX_SYMBOLS*64-1:0] cfg_names;
    wire                      init_hdr_we, init_global_kill, init_sym_we, init_sym_kill, init_acct_we;
    wire [SYM_W-1:0]          init_sym_idx;
    wire [ACCT_W-1:0]         init_sym_acct, init_acct_idx;
    wire [15:0]               init_sym_collar;
    wire [31:0]               init_sym_max_qty, init_sym_pos_limit, init_sym_pos, init_acct_id, init_acct_max_orders;
    wire [63:0]               init_sym_max_notional, init_acct_credit, init_acct_used, init_acct_dup_window;
    wire [31:0]               blob_rd;

    rg_config #(.MAX_SYMBOLS(MAX_SYMBOLS), .MAX_ACCOUNTS(MAX_ACCOUNTS), .WINDOW_TICKS(WINDOW_TICKS)) u_config (
        .clk(clk), .rst(rst_i),
        .wr_en(reg_wr_en), .wr_addr(reg_wr_addr), .wr_data(reg_wr_data),
        .rd_en(reg_rd_en && rd_in_blob), .rd_addr(reg_rd_addr), .rd_data(blob_rd),
        .ready(cfg_ready), .loading(cfg_loading), .error(cfg_error), .err_index(cfg_err_index),
        .n_symbols(cfg_ns), .n_accounts(cfg_na), .tick(cfg_tick), .tick_recip(cfg_recip),
        .w_shift(cfg_w_shift), .gate(cfg_gate), .session(cfg_session), .imb_num(cfg_imb_num),
        .imb_den(cfg_imb_den), .cooldown(cfg_cooldown), .max_spread(cfg_max_spread), .clip(cfg_clip),
        .fingerprint(cfg_fingerprint), .names(cfg_names),
        .init_hdr_we(init_hdr_we), .init_global_kill(init_global_kill),
        .init_sym_we(init_sym_we), .init_sym_idx(init_sym_idx), .init_sym_acct(init_sym_acct),
        .init_sym_kill(init_sym_kill), .init_sym_collar(init_sym_collar), .init_sym_max_qty(init_sym_max_qty),
        .init_sym_max_notional(init_sym_max_notional), .init_sym_pos_limit(init_sym_pos_limit),
        .init_sym_pos(init_sym_pos),
        .init_acct_we(init_acct_we), .init_acct_idx(init_acct_idx), .init_acct_id(init_acct_id),
        .init_acct_max_orders(init_acct_max_orders), .init_acct_credit(init_acct_credit),
        .init_acct_used(init_acct_used), .init_acct_dup_window(init_acct_dup_window)
    );

    wire dir_busy, eng_busy, oo_busy;
    wire clearing = dir_busy || eng_busy || oo_busy;
    assign ready  = cfg_ready && !clearing;

    // ---------------------------------------------------------------- front end
    wire                   rx_valid, rx_ready, rx_trunc, rx_has_type, rx_ctrl;
    wire [MSG_BYTES*8-1:0] rx_data;
    wire [15:0]            rx_len;
    wire [63:0]            rx_seq, rx_toff, rx_tlast, rx_next_seq;
    wire [31:0]            rx_pkts, rx_bad, rx_gaps, rx_dups, rx_mism, rx_tkeep;
    wire                   rx_gap_seen, rx_eos_seen, rx_idle;

    // Ethernet front end (spec section 17): group and port from ETH_GROUP / ETH_PORT
    reg  [31:0]              eth_group_q;
    reg  [15:0]              eth_port_q, eth_order_port_q;
    wire [63:0]              eth_tdata;
    wire [7:0]               eth_tkeep;
    wire [287:0]             eo_data;
    wire [5:0]               eo_len;
    wire [63:0]              eo_t_first, eo_t_last;
    wire                     eth_tvalid, eth_tready, eth_tlast, eth_idle;
    wire                     eo_valid, eo_ready;
    wire [31:0]              eth_frames, eth_accepted, eth_orders, eth_tkeep_errs;
    wire [`RG_ETH_DROPS*32-1:0] eth_drops;
    always @(posedge clk) begin
        if (rst_i) begin
            eth_group_q <= `RG_ETH_DEFAULT_GROUP;
            eth_port_q  <= `RG_ETH_DEFAULT_PORT;
            eth_order_port_q <= `RG_ETH_DEFAULT_ORDER_PORT;
        end else if (reg_wr_en) begin
            if (reg_wr_addr == `RG_REG_ETH_GROUP) eth_group_q <= reg_wr_data;
            if (reg_wr_addr == `RG_REG_ETH_PORT)  eth_port_q  <= reg_wr_data[15:0];
            if (reg_wr_addr == `RG_REG_ETH_ORDER_PORT) eth_order_port_q <= reg_wr_data[15:0];
        end
    end

    rg_eth_rx u_eth (
        .clk(clk), .rst(rst_i),
        .s_axis_tdata(s_eth_axis_tdata), .s_axis_tkeep(s_eth_axis_tkeep), .s_axis_tvalid(s_eth_axis_tvalid),
        .s_axis_tready(s_eth_axis_tready), .s_axis_tlast(s_eth_axis_tlast),
        .m_axis_tdata(eth_tdata), .m_axis_tkeep(eth_tkeep), .m_axis_tvalid(eth_tvalid),
        .m_axis_tready(eth_tready), .m_axis_tlast(eth_tlast),
        .cycle(cycle_q), .m_oframe_valid(eo_valid), .m_oframe_ready(eo_ready), .m_oframe_data(eo_data),
        .m_oframe_len(eo_len), .m_oframe_t_first(eo_t_first), .m_oframe_t_last(eo_t_last),
        .cfg_group(eth_group_q), .cfg_port(eth_port_q), .cfg_order_port(eth_order_port_q),
        .stat_frames(eth_frames), .stat_accepted(eth_accepted), .stat_drops(eth_drops),
        .stat_orders(eth_orders), .stat_tkeep(eth_tkeep_errs), .idle(eth_idle)
    );

    // Packet arbiter in front of the MoldUDP64 front end: a packet, once started, owns the
    // input until its last beat (only one source is used at a time in practice; the Ethernet
    // side wins a tie). The grant is combinational when no packet is open: no added cycle.
    reg        own_eth_q, own_mold_q;
    wire       grant_eth  = own_eth_q || (!own_mold_q && eth_tvalid);
    wire       grant_mold = own_mold_q || (!own_eth_q && !eth_tvalid);
    wire [63:0] mrx_tdata  = grant_eth ? eth_tdata : s_axis_tdata;
    wire [7:0]  mrx_tkeep  = grant_eth ? eth_tkeep : s_axis_tkeep;
    wire        mrx_tvalid = grant_eth ? eth_tvalid : (grant_mold && s_axis_tvalid);
    wire        mrx_tlast  = grant_eth ? eth_tlast : s_axis_tlast;
    wire        mrx_tready;
    assign eth_tready    = grant_eth && mrx_tready;
    assign s_axis_tready = grant_mold && mrx_tready;
    always @(posedge clk) begin
        if (rst_i) begin
            own_eth_q  <= 1'b0;
            own_mold_q <= 1'b0;
        end else if (mrx_tvalid && mrx_tready) begin
            own_eth_q  <= grant_eth && !mrx_tlast;
            own_mold_q <= !grant_eth && !mrx_tlast;
        end
    end

    rg_moldudp64_rx #(.MSG_BYTES(MSG_BYTES)) u_rx (
        .clk(clk), .rst(rst_i), .enable(ready), .cycle(cycle_q),
        .s_axis_tdata(mrx_tdata), .s_axis_tkeep(mrx_tkeep), .s_axis_tvalid(mrx_tvalid),
        .s_axis_tready(mrx_tready), .s_axis_tlast(mrx_tlast),
        .m_valid(rx_valid), .m_ready(rx_ready), .m_data(rx_data), .m_len(rx_len), .m_trunc(rx_trunc),
        .m_has_type(rx_has_type), .m_ctrl(rx_ctrl), .m_seq(rx_seq), .m_t_offer(rx_toff), .m_t_last(rx_tlast),
        .stat_packets(rx_pkts), .stat_bad_packets(rx_bad), .stat_gaps(rx_gaps), .stat_dups(rx_dups),
        .stat_count_mismatch(rx_mism), .stat_tkeep(rx_tkeep), .gap_seen(rx_gap_seen), .eos_seen(rx_eos_seen),
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
        .cfg_fingerprint(cfg_fingerprint),
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
    wire                  e_valid, e_ready, e_idle;
    wire                  st_unknown_ref, st_stash_insert, st_ghost_insert, st_untracked_drop, st_collision_clear;
    wire [31:0]           occ_live, occ_stash, occ_ghost;
    wire [`RG_EV_W-1:0]   e_ev;
    wire [`RG_BOOK_W-1:0] e_book;

    rg_book_engine #(.MAX_SYMBOLS(MAX_SYMBOLS), .WINDOW_TICKS(WINDOW_TICKS), .SET_BITS(SET_BITS),
                     .WAYS(WAYS), .STASH_SLOTS(STASH_SLOTS), .GHOST_SLOTS(GHOST_SLOTS)) u_engine (
        .clk(clk), .rst(rst_i), .cfg_tick(cfg_tick),
        .s_valid(f_valid), .s_ready(f_ready), .s_op(f_op), .s_seq(f_seq), .s_ts(f_ts),
        .s_t_offer(f_toff), .s_t_last(f_tlast), .s_locate(f_locate), .s_ref(f_ref), .s_ref2(f_ref2),
        .s_buy(f_buy), .s_shares(f_shares), .s_price(f_price), .s_code(f_code), .s_q(f_q),
        .s_sym_valid(f_sym_valid), .s_sym(f_sym), .s_rkind(f_rkind),
        .s_rsym(f_rsym), .s_raux(f_raux), .s_rpay(f_rpay),
        .m_valid(e_valid), .m_ready(e_ready), .m_ev(e_ev), .m_book(e_book),
        .st_unknown_ref(st_unknown_ref), .st_stash_insert(st_stash_insert), .st_ghost_insert(st_ghost_insert),
        .st_untracked_drop(st_untracked_drop), .st_collision_clear(st_collision_clear),
        .occ_live(occ_live), .occ_stash(occ_stash), .occ_ghost(occ_ghost),
        .busy(eng_busy), .idle(e_idle)
    );

    // ---------------------------------------------------------------- analytics / TOB
    wire                 t_valid, t_ready, st_tob, st_flagged, t_idle;
    wire [`RG_EV_W-1:0]  t_ev;
    wire [`RG_TOB_W-1:0] t_tob;
    rg_tob #(.MAX_SYMBOLS(MAX_SYMBOLS), .WINDOW_TICKS(WINDOW_TICKS)) u_tob (
        .clk(clk), .rst(rst_i), .cfg_tick(cfg_tick), .cfg_imb_num(cfg_imb_num), .cfg_imb_den(cfg_imb_den),
        .s_valid(e_valid), .s_ready(e_ready), .s_ev(e_ev), .s_book(e_book),
        .m_valid(t_valid), .m_ready(t_ready), .m_ev(t_ev), .m_tob(t_tob),
        .st_tob(st_tob), .st_flagged(st_flagged), .idle(t_idle)
    );

    // ---------------------------------------------------------------- strategy
    wire                 g_valid, g_ready, g_idle;
    wire [`RG_EV_W-1:0]  g_ev;
    wire [`RG_TOB_W-1:0] g_tob;
    wire [`RG_ORD_W-1:0] g_ord;
    rg_strategy #(.MAX_SYMBOLS(MAX_SYMBOLS)) u_strategy (
        .clk(clk), .rst(rst_i),
        .cfg_cooldown(cfg_cooldown), .cfg_max_spread(cfg_max_spread), .cfg_clip(cfg_clip),
        .s_valid(t_valid), .s_ready(t_ready), .s_ev(t_ev), .s_tob(t_tob),
        .m_valid(g_valid), .m_ready(g_ready), .m_ev(g_ev), .m_tob(g_tob), .m_ord(g_ord), .idle(g_idle)
    );

    // ---------------------------------------------------------------- order-entry input
    wire        o_valid, o_ready, o_venue, o_bad_len, o_foreign, o_fields_ok, o_idle;
    wire        md_fire, md_seq_msg, md_hold;
    wire [7:0]  o_type, o_action, o_side, o_tif;
    wire [15:0] o_len, o_account, o_symbol;
    wire [31:0] o_order_id, o_qty, o_price;
    wire [63:0] o_seq, o_t_first, o_t_last;
    wire [47:0] o_pos;
    wire [63:0] o_pos_now;
    wire [31:0] o_tkeep_errs;
    wire        o_tready;

    // The order-entry input takes the host's frames (s_axis_order, tuser from the host) and the
    // Ethernet input's order-entry frames (section 18.7), whole, in one transfer (rg_eth_rx's
    // m_oframe). An Ethernet order frame sits where it arrived among the Ethernet input's
    // frames: it is offered only while every market-data message before it has entered the risk
    // stage (rg_eth_rx sends in order, so none after it has started), and rg_order_rx takes
    // pos_now, the position reached, as its position, so it is released at once. A host packet
    // in progress, or a host beat offered in the same cycle, goes first.
    wire md_drained = rx_idle && p_idle && !f_valid && e_idle && t_idle && g_idle;
    wire o_frame_ready;
    assign s_axis_order_tready = ready && o_tready;
    assign eo_ready            = md_drained && ready && o_frame_ready;

    rg_order_rx u_order_rx (
        .clk(clk), .rst(rst_i), .cycle(cycle_q),
        .cfg_fingerprint(cfg_fingerprint), .cfg_n_symbols(cfg_ns), .cfg_n_accounts(cfg_na),
        .s_axis_order_tdata(s_axis_order_tdata), .s_axis_order_tkeep(s_axis_order_tkeep),
        .s_axis_order_tvalid(s_axis_order_tvalid && ready), .s_axis_order_tready(o_tready),
        .s_axis_order_tlast(s_axis_order_tlast), .s_axis_order_tuser(s_axis_order_tuser),
        .s_frame_valid(eo_valid && md_drained && ready), .s_frame_ready(o_frame_ready),
        .s_frame_data(eo_data), .s_frame_len(eo_len), .s_frame_t_first(eo_t_first), .s_frame_t_last(eo_t_last),
        .md_fire(md_fire), .md_seq_msg(md_seq_msg), .md_hold(md_hold),
        .m_valid(o_valid), .m_ready(o_ready), .m_venue(o_venue), .m_bad_len(o_bad_len), .m_type(o_type),
        .m_len(o_len), .m_foreign(o_foreign), .m_fields_ok(o_fields_ok), .m_action(o_action), .m_side(o_side),
        .m_tif(o_tif), .m_account(o_account), .m_symbol(o_symbol), .m_order_id(o_order_id), .m_qty(o_qty),
        .m_price(o_price), .m_seq(o_seq), .m_pos(o_pos), .m_t_first(o_t_first), .m_t_last(o_t_last),
        .pos_now(o_pos_now), .stat_tkeep(o_tkeep_errs), .idle(o_idle)
    );

    // ---------------------------------------------------------------- risk
    wire                 r_valid, r_ready, r_idle;
    wire                 st_decision, st_accepted, st_rejected, st_o_control, st_o_fill;
    wire [7:0]           st_o_problem;
    wire [`RG_EV_W-1:0]  r_ev;
    wire [`RG_TOB_W-1:0] r_tob;
    wire [`RG_ORD_W-1:0] r_ord;
    wire [`RG_VRD_W-1:0] r_vrd;
    rg_risk #(.MAX_SYMBOLS(MAX_SYMBOLS), .MAX_ACCOUNTS(MAX_ACCOUNTS)) u_risk (
        .clk(clk), .rst(rst_i),
        .cfg_gate(cfg_gate), .cfg_w_shift(cfg_w_shift),
        .init_hdr_we(init_hdr_we), .init_global_kill(init_global_kill),
        .init_sym_we(init_sym_we), .init_sym_idx(init_sym_idx), .init_sym_acct(init_sym_acct),
        .init_sym_kill(init_sym_kill), .init_sym_collar(init_sym_collar), .init_sym_max_qty(init_sym_max_qty),
        .init_sym_max_notional(init_sym_max_notional), .init_sym_pos_limit(init_sym_pos_limit),
        .init_sym_pos(init_sym_pos),
        .init_acct_we(init_acct_we), .init_acct_idx(init_acct_idx), .init_acct_id(init_acct_id),
        .init_acct_max_orders(init_acct_max_orders), .init_acct_credit(init_acct_credit),
        .init_acct_used(init_acct_used), .init_acct_dup_window(init_acct_dup_window),
        .s_valid(g_valid), .s_ready(g_ready), .s_ev(g_ev), .s_tob(g_tob), .s_ord(g_ord),
        .m_valid(r_valid), .m_ready(r_ready), .m_ev(r_ev), .m_tob(r_tob), .m_ord(r_ord), .m_vrd(r_vrd),
        .o_valid(o_valid), .o_ready(o_ready), .o_venue(o_venue), .o_bad_len(o_bad_len), .o_type(o_type),
        .o_len(o_len), .o_foreign(o_foreign), .o_fields_ok(o_fields_ok), .o_action(o_action), .o_side(o_side),
        .o_account(o_account), .o_symbol(o_symbol), .o_order_id(o_order_id), .o_qty(o_qty), .o_price(o_price),
        .o_pos(o_pos), .o_t_first(o_t_first), .o_t_last(o_t_last),
        .md_hold(md_hold), .md_fire(md_fire), .md_seq_msg(md_seq_msg),
        .st_decision(st_decision), .st_accepted(st_accepted), .st_rejected(st_rejected),
        .st_problem(st_o_problem), .st_control(st_o_control), .st_fill(st_o_fill), .busy(oo_busy), .idle(r_idle)
    );

    // ---------------------------------------------------------------- record formatter
    wire fmt_idle;
    rg_record_fmt u_fmt (
        .clk(clk), .rst(rst_i), .cycle(cycle_q),
        .s_valid(r_valid), .s_ready(r_ready), .s_ev(r_ev), .s_tob(r_tob), .s_ord(r_ord), .s_vrd(r_vrd),
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
        .ev_unknown_ref(st_unknown_ref), .ev_stash_insert(st_stash_insert), .ev_ghost_insert(st_ghost_insert),
        .ev_untracked_drop(st_untracked_drop), .ev_collision_clear(st_collision_clear),
        .occ_live(occ_live), .occ_stash(occ_stash), .occ_ghost(occ_ghost), .ev_flagged(st_flagged),
        .ev_tob(st_tob), .ev_decision(st_decision), .ev_accepted(st_accepted), .ev_rejected(st_rejected),
        .ev2_problem(st_o_problem), .ev2_control(st_o_control), .ev2_fill(st_o_fill),
        .rd_en(reg_rd_en && rd_in_stats), .rd_addr(stats_off[11:2]),
        .rd_valid(stats_rd_valid), .rd_data(stats_rd_data)
    );

    assign idle = eth_idle && rx_idle && p_idle && !f_valid && e_idle && t_idle && g_idle && o_idle && r_idle && fmt_idle;

    // ---------------------------------------------------------------- register reads
    reg [31:0] status;
    always @(*) begin
        status = 32'd0;
        status[`RG_STATUS_READY]    = ready;
        status[`RG_STATUS_LOADING]  = cfg_loading;
        status[`RG_STATUS_CLEARING] = clearing;
        status[`RG_STATUS_IDLE]     = idle;
        status[`RG_STATUS_GAP_SEEN] = rx_gap_seen;
        status[`RG_STATUS_EOS_SEEN] = rx_eos_seen;
        status[`RG_STATUS_CFG_ERROR_LO +: `RG_STATUS_CFG_ERROR_W] = cfg_error;
        status[`RG_STATUS_ERR_INDEX_LO +: `RG_STATUS_ERR_INDEX_W] = cfg_err_index;
    end

    // ETH_DROPS window: drop code k's counter at word k - 1
    reg [31:0] eth_drop_rd;
    integer    di;
    always @(*) begin
        eth_drop_rd = 32'd0;
        for (di = 0; di < `RG_ETH_DROPS; di = di + 1)
            if (eth_drops_off[5:2] == di[3:0]) eth_drop_rd = eth_drops[di*32 +: 32];
    end

    reg        rd_blob_q, rd_reg_q;
    reg [31:0] rd_reg_data_q;
    always @(posedge clk) begin
        if (rst_i) begin
            rd_blob_q     <= 1'b0;
            rd_reg_q      <= 1'b0;
            rd_reg_data_q <= 32'd0;
        end else begin
            rd_blob_q <= reg_rd_en && rd_in_blob;
            rd_reg_q  <= reg_rd_en && !rd_in_blob && !rd_in_stats;
            case (reg_rd_addr)
                `RG_REG_STATUS:            rd_reg_data_q <= status;
                `RG_REG_PARAM0:            rd_reg_data_q <= param0;
                `RG_REG_PARAM1:            rd_reg_data_q <= P_WIN;
                `RG_REG_CYCLE_LO:          rd_reg_data_q <= cycle_q[31:0];
                `RG_REG_CYCLE_HI:          rd_reg_data_q <= cycle_q[63:32];
                `RG_REG_ID:                rd_reg_data_q <= `RG_ID;
                `RG_REG_RX_PACKETS:        rd_reg_data_q <= rx_pkts;
                `RG_REG_RX_BAD_PACKETS:    rd_reg_data_q <= rx_bad;
                `RG_REG_RX_GAPS:           rd_reg_data_q <= rx_gaps;
                `RG_REG_RX_DUPS:           rd_reg_data_q <= rx_dups;
                `RG_REG_RX_COUNT_MISMATCH: rd_reg_data_q <= rx_mism;
                `RG_REG_NEXT_SEQ_LO:       rd_reg_data_q <= rx_next_seq[31:0];
                `RG_REG_NEXT_SEQ_HI:       rd_reg_data_q <= rx_next_seq[63:32];
                `RG_REG_SESSION:           rd_reg_data_q <= cfg_session;
                `RG_REG_ETH_GROUP:         rd_reg_data_q <= eth_group_q;
                `RG_REG_ETH_PORT:          rd_reg_data_q <= {16'd0, eth_port_q};
                `RG_REG_ETH_FRAMES:        rd_reg_data_q <= eth_frames;
                `RG_REG_ETH_ACCEPTED:      rd_reg_data_q <= eth_accepted;
                `RG_REG_RX_TKEEP_ERRORS:   rd_reg_data_q <= rx_tkeep;
                `RG_REG_ETH_TKEEP_ERRORS:  rd_reg_data_q <= eth_tkeep_errs;
                `RG_REG_ORDER_TKEEP_ERRORS: rd_reg_data_q <= o_tkeep_errs;
                `RG_REG_ETH_ORDER_PORT:    rd_reg_data_q <= {16'd0, eth_order_port_q};
                `RG_REG_ETH_ORDER_FRAMES:  rd_reg_data_q <= eth_orders;
                default:                   rd_reg_data_q <= rd_in_eth_drops ? eth_drop_rd : 32'd0;
            endcase
        end
    end
    always @(*) begin
        reg_rd_valid = rd_blob_q || rd_reg_q || stats_rd_valid;
        reg_rd_data  = rd_blob_q ? blob_rd : rd_reg_q ? rd_reg_data_q : stats_rd_data;
    end

    wire unused_top = ^{f_count, p_last_seq, o_tif, o_seq, o_pos_now, stats_off[15:12], stats_off[1:0], eth_drops_off[15:6], eth_drops_off[1:0]};

`ifdef RG_STAGE_TRACE
    // Debug only (not in any build of the card): one line per handshake of the market-data
    // path, "<cycle> <interface> <seq> <cycles valid waited>", to /tmp/rg-stage-trace.txt.
    integer tr_fd;
    reg [15:0] tr_w_rx, tr_w_p, tr_w_f, tr_w_e, tr_w_t, tr_w_g, tr_w_r;
    initial tr_fd = $fopen("/tmp/rg-stage-trace.txt", "w");
    always @(posedge clk) begin
        if (rst_i) begin
            tr_w_rx <= 0; tr_w_p <= 0; tr_w_f <= 0; tr_w_e <= 0; tr_w_t <= 0; tr_w_g <= 0; tr_w_r <= 0;
        end else begin
            tr_w_rx <= (rx_valid && !rx_ready) ? tr_w_rx + 1 : 0;
            tr_w_p  <= (p_valid && !p_ready) ? tr_w_p + 1 : 0;
            tr_w_f  <= (f_valid && !f_ready) ? tr_w_f + 1 : 0;
            tr_w_e  <= (e_valid && !e_ready) ? tr_w_e + 1 : 0;
            tr_w_t  <= (t_valid && !t_ready) ? tr_w_t + 1 : 0;
            tr_w_g  <= (g_valid && !g_ready) ? tr_w_g + 1 : 0;
            tr_w_r  <= (r_valid && !r_ready) ? tr_w_r + 1 : 0;
            if (rx_valid && rx_ready) $fwrite(tr_fd, "%0d rx %0d %0d %0d %0d\n", cycle_q, rx_seq, tr_w_rx, rx_tlast, rx_len);
            if (p_valid && p_ready) $fwrite(tr_fd, "%0d p %0d %0d %0d %0d\n", cycle_q, p_seq, tr_w_p, p_op, f_count);
            if (f_valid && f_ready) $fwrite(tr_fd, "%0d f %0d %0d %0d\n", cycle_q, f_seq, tr_w_f, f_op);
            if (e_valid && e_ready) $fwrite(tr_fd, "%0d e %0d %0d\n", cycle_q, e_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W], tr_w_e);
            if (t_valid && t_ready) $fwrite(tr_fd, "%0d t %0d %0d\n", cycle_q, t_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W], tr_w_t);
            if (g_valid && g_ready) $fwrite(tr_fd, "%0d g %0d %0d\n", cycle_q, g_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W], tr_w_g);
            if (r_valid && r_ready) $fwrite(tr_fd, "%0d r %0d %0d\n", cycle_q, r_ev[`RG_EV_SEQ_LO +: `RG_EV_SEQ_W], tr_w_r);
            // the book's best level emptied (its S_WB with a search): "<cycle> s <seq>", the
            // message in the engine's back half, or in the front (a U's removal)
            if (u_engine.u_book.st_q == 3'd2 && u_engine.u_book.srch_q)
                $fwrite(tr_fd, "%0d s %0d\n", cycle_q, (u_engine.bk_q != 2'd0) ? u_engine.f_seq_q : u_engine.x_seq_q);
        end
    end
`endif
endmodule
`default_nettype wire
