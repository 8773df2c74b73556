// Start-of-day configuration (spec section 10) through the register port.
//
// The control plane writes the config blob as 32-bit little-endian words at byte address
// = blob offset (the BLOB window of the register map) into a blob RAM, then writes LOAD to
// CONTROL. The loader walks the blob (header, then n_symbols symbol entries, then
// n_accounts account entries), checks every range of spec section 10, and writes the values
// into the stages (header registers, symbol names for the directory, start values for the
// risk stage). It sets `ready` when the whole blob is valid; otherwise `error` holds a
// config error code (RG_CFGERR_*) and `err_index` the symbol or account index. After an
// error the engine must be reset. Field offsets, sizes, the magic, the version and the
// error codes come from the contract (rg_contract.vh).
`default_nettype none
`include "rg_contract.vh"
module rg_config #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer MAX_ACCOUNTS = 64,
    parameter integer WINDOW_TICKS = 4096,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer ACCT_W       = (MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1
) (
    input  wire                      clk,
    input  wire                      rst,

    input  wire                      wr_en,
    input  wire [15:0]               wr_addr,
    input  wire [31:0]               wr_data,
    input  wire                      rd_en,
    input  wire [15:0]               rd_addr,
    output wire [31:0]               rd_data,     // blob read-back, one cycle after rd_en

    output reg                       ready,
    output wire                      loading,
    output reg  [7:0]                error,
    output reg  [7:0]                err_index,

    output reg  [7:0]                n_symbols,
    output reg  [7:0]                n_accounts,
    output reg  [15:0]               tick,
    output reg  [48:0]               tick_recip,
    output reg  [5:0]                w_shift,
    output reg                       gate,
    output reg  [31:0]               session,
    output reg  [31:0]               imb_num,
    output reg  [31:0]               imb_den,
    output reg  [63:0]               cooldown,
    output reg  [31:0]               max_spread,
    output reg  [31:0]               clip,
    output reg  [63:0]               fingerprint, // read, never verified (spec section 10)
    output reg  [MAX_SYMBOLS*64-1:0] names,

    output reg                       init_hdr_we,
    output reg                       init_global_kill,
    output reg                       init_sym_we,
    output reg  [SYM_W-1:0]          init_sym_idx,
    output reg  [ACCT_W-1:0]         init_sym_acct,
    output reg                       init_sym_kill,
    output reg  [15:0]               init_sym_collar,
    output reg  [31:0]               init_sym_max_qty,
    output reg  [63:0]               init_sym_max_notional,
    output reg  [31:0]               init_sym_pos_limit,
    output reg  [31:0]               init_sym_pos,
    output reg                       init_acct_we,
    output reg  [ACCT_W-1:0]         init_acct_idx,
    output reg  [31:0]               init_acct_id,
    output reg  [31:0]               init_acct_max_orders,
    output reg  [63:0]               init_acct_credit,
    output reg  [63:0]               init_acct_used,
    output reg  [63:0]               init_acct_dup_window
);
    // entry sizes in 32-bit words; the entry buffer holds the largest entry
    localparam integer HDR_WORDS  = `RG_CFG_HEADER_SIZE / 4;
    localparam integer SYM_WORDS  = `RG_CFG_SYMBOL_SIZE / 4;
    localparam integer ACCT_WORDS = `RG_CFG_ACCOUNT_SIZE / 4;
    localparam integer BUF_WORDS  = (HDR_WORDS > SYM_WORDS) ? ((HDR_WORDS > ACCT_WORDS) ? HDR_WORDS : ACCT_WORDS)
                                                            : ((SYM_WORDS > ACCT_WORDS) ? SYM_WORDS : ACCT_WORDS);
    localparam integer CNT_W      = $clog2(BUF_WORDS + 3);
    localparam integer BLOB_BYTES = `RG_CFG_HEADER_SIZE + `RG_CFG_SYMBOL_SIZE * MAX_SYMBOLS
                                  + `RG_CFG_ACCOUNT_SIZE * MAX_ACCOUNTS;
    localparam integer BLOB_WORDS = BLOB_BYTES / 4;
    localparam integer BAW        = $clog2(BLOB_WORDS);
    localparam [31:0]  WIN        = WINDOW_TICKS;
    localparam [15:0]  BW16       = BLOB_WORDS[15:0];
    localparam [7:0]   MS8        = MAX_SYMBOLS[7:0];
    localparam [7:0]   MA8        = MAX_ACCOUNTS[7:0];
    localparam [16:0]  BLOB_MASK  = ~(`RG_REG_BLOB_SIZE - 17'd1);
    localparam [16:0]  BLOB_BASE  = {1'b0, `RG_REG_BLOB};

    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_MAX_ACCOUNTS(MAX_ACCOUNTS)
        `RG_CHECK_WINDOW_TICKS(WINDOW_TICKS)
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1)
            || ACCT_W != ((MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1)) begin
            $error("rg_config: SYM_W = %0d / ACCT_W = %0d differ from their derivation (instance %m)", SYM_W, ACCT_W);
            $finish;
        end
        if (BLOB_BYTES > `RG_REG_BLOB_SIZE || (`RG_CFG_HEADER_SIZE % 4) != 0 || (`RG_CFG_SYMBOL_SIZE % 4) != 0
            || (`RG_CFG_ACCOUNT_SIZE % 4) != 0) begin
            $error("rg_config: a %0d-byte blob does not fit the BLOB window in whole words (instance %m)", BLOB_BYTES);
            $finish;
        end
    end

    localparam [3:0] L_IDLE = 4'd0, L_READ = 4'd1, L_PROC = 4'd2, L_DONE = 4'd3, L_ERR = 4'd4,
                     L_HMUL = 4'd5, L_HSUM = 4'd6,                 // the header's recip x tick
                     L_CHK  = 4'd8;                                // the entry's checks registered
    localparam [1:0] K_HDR = 2'd0, K_SYM = 2'd1, K_ACCT = 2'd2;

    // ---------------------------------------------------------------- blob RAM
    wire [15:0]    wr_off  = wr_addr - `RG_REG_BLOB;
    wire [15:0]    rd_off  = rd_addr - `RG_REG_BLOB;
    wire           blob_we = wr_en && (({1'b0, wr_addr} & BLOB_MASK) == BLOB_BASE) && ({2'b00, wr_off[15:2]} < BW16);
    reg            ld_rd_en;
    reg  [BAW-1:0] ld_rd_addr;
    wire [31:0]    blob_rd;

    rg_ram_sdp #(.ADDR_W(BAW), .WIDTH(32), .LANES(1)) u_blob (
        .clk(clk),
        .wr_en(blob_we), .wr_be(1'b1), .wr_addr(wr_off[BAW+1:2]), .wr_data(wr_data),
        .rd_en(ld_rd_en || rd_en), .rd_addr(ld_rd_en ? ld_rd_addr : rd_off[BAW+1:2]), .rd_data(blob_rd)
    );
    assign rd_data = blob_rd;
    reg  [31:0]    blob_q;                  // the loader's copy of the RAM output
    always @(posedge clk) blob_q <= blob_rd;
    wire unused_rd_addr = ^{rd_off[15:BAW+2], rd_off[1:0], wr_off[1:0]};

    // ---------------------------------------------------------------- loader
    reg [3:0]              st_q;
    reg [7:0]              hdr_err_q, sym_err_q;   // the entry's checks (L_CHK), used in L_PROC
    reg [1:0]              kind_q;
    reg [7:0]              idx_q;
    reg [BAW-1:0]          base_q;
    reg [CNT_W-1:0]        cnt_q;            // read cycle within the entry
    // capture blob_q into word w when cap_1h_q[w] (decoded a cycle ahead: each buffer word's
    // enable is one flip-flop, not an indexed part-select's offset arithmetic)
    reg [BUF_WORDS-1:0]    cap_1h_q;
    reg [32*BUF_WORDS-1:0] buf_q;
    integer                cw;            // the entry, blob byte k at [8k +: 8]

    wire [CNT_W-1:0] nwords = (kind_q == K_HDR) ? HDR_WORDS[CNT_W-1:0]
                            : (kind_q == K_SYM) ? SYM_WORDS[CNT_W-1:0] : ACCT_WORDS[CNT_W-1:0];

    // fields of the entry in the buffer (little-endian, at their contract offsets)
    wire [31:0] h_magic    = buf_q[8*`RG_CFG_HDR_MAGIC +: `RG_CFG_HDR_MAGIC_W];
    wire [15:0] h_version  = buf_q[8*`RG_CFG_HDR_VERSION +: `RG_CFG_HDR_VERSION_W];
    wire [7:0]  h_ns       = buf_q[8*`RG_CFG_HDR_N_SYMBOLS +: `RG_CFG_HDR_N_SYMBOLS_W];
    wire [7:0]  h_na       = buf_q[8*`RG_CFG_HDR_N_ACCOUNTS +: `RG_CFG_HDR_N_ACCOUNTS_W];
    wire [31:0] h_tick     = buf_q[8*`RG_CFG_HDR_TICK +: `RG_CFG_HDR_TICK_W];
    wire [31:0] h_win      = buf_q[8*`RG_CFG_HDR_WINDOW_TICKS +: `RG_CFG_HDR_WINDOW_TICKS_W];
    wire [63:0] h_recip    = buf_q[8*`RG_CFG_HDR_TICK_RECIP +: `RG_CFG_HDR_TICK_RECIP_W];
    wire [7:0]  h_w_shift  = buf_q[8*`RG_CFG_HDR_W_SHIFT +: `RG_CFG_HDR_W_SHIFT_W];
    wire [7:0]  h_gate     = buf_q[8*`RG_CFG_HDR_GATE_MARKET_HOURS +: `RG_CFG_HDR_GATE_MARKET_HOURS_W];
    wire [7:0]  h_gkill    = buf_q[8*`RG_CFG_HDR_GLOBAL_KILL +: `RG_CFG_HDR_GLOBAL_KILL_W];
    wire [7:0]  h_rsv0     = buf_q[8*`RG_CFG_HDR_RESERVED0 +: `RG_CFG_HDR_RESERVED0_W];
    wire [31:0] h_session  = buf_q[8*`RG_CFG_HDR_SESSION +: `RG_CFG_HDR_SESSION_W];
    wire [31:0] h_imb_num  = buf_q[8*`RG_CFG_HDR_IMB_NUM +: `RG_CFG_HDR_IMB_NUM_W];
    wire [31:0] h_imb_den  = buf_q[8*`RG_CFG_HDR_IMB_DEN +: `RG_CFG_HDR_IMB_DEN_W];
    wire [63:0] h_cooldown = buf_q[8*`RG_CFG_HDR_COOLDOWN_NS +: `RG_CFG_HDR_COOLDOWN_NS_W];
    wire [31:0] h_spread   = buf_q[8*`RG_CFG_HDR_MAX_SPREAD +: `RG_CFG_HDR_MAX_SPREAD_W];
    wire [31:0] h_clip     = buf_q[8*`RG_CFG_HDR_CLIP_QTY +: `RG_CFG_HDR_CLIP_QTY_W];
    wire [63:0] h_fp       = buf_q[8*`RG_CFG_HDR_FINGERPRINT +: `RG_CFG_HDR_FINGERPRINT_W];
    wire [63:0] s_name_le  = buf_q[8*`RG_CFG_SYM_NAME +: `RG_CFG_SYM_NAME_W];
    wire [7:0]  s_acct     = buf_q[8*`RG_CFG_SYM_ACCOUNT +: `RG_CFG_SYM_ACCOUNT_W];
    wire [7:0]  s_kill     = buf_q[8*`RG_CFG_SYM_KILL +: `RG_CFG_SYM_KILL_W];
    wire [15:0] s_collar   = buf_q[8*`RG_CFG_SYM_COLLAR_BPS +: `RG_CFG_SYM_COLLAR_BPS_W];
    wire [31:0] s_max_qty  = buf_q[8*`RG_CFG_SYM_MAX_QTY +: `RG_CFG_SYM_MAX_QTY_W];
    wire [63:0] s_max_not  = buf_q[8*`RG_CFG_SYM_MAX_NOTIONAL +: `RG_CFG_SYM_MAX_NOTIONAL_W];
    wire [63:0] s_pos_lim  = buf_q[8*`RG_CFG_SYM_POSITION_LIMIT +: `RG_CFG_SYM_POSITION_LIMIT_W];
    wire [63:0] s_pos      = buf_q[8*`RG_CFG_SYM_START_POSITION +: `RG_CFG_SYM_START_POSITION_W];
    wire [63:0] s_rsv      = buf_q[8*`RG_CFG_SYM_RESERVED +: `RG_CFG_SYM_RESERVED_W];
    wire [31:0] a_id       = buf_q[8*`RG_CFG_ACCT_ID +: `RG_CFG_ACCT_ID_W];
    wire [31:0] a_max_ord  = buf_q[8*`RG_CFG_ACCT_MAX_ORDERS +: `RG_CFG_ACCT_MAX_ORDERS_W];
    wire [63:0] a_credit   = buf_q[8*`RG_CFG_ACCT_CREDIT_LIMIT +: `RG_CFG_ACCT_CREDIT_LIMIT_W];
    wire [63:0] a_used     = buf_q[8*`RG_CFG_ACCT_START_USED_CREDIT +: `RG_CFG_ACCT_START_USED_CREDIT_W];
    wire [63:0] a_dup      = buf_q[8*`RG_CFG_ACCT_DUP_WINDOW_NS +: `RG_CFG_ACCT_DUP_WINDOW_NS_W];

    // header checks
    // TICK_RECIP: (recip - 1) * tick < 2^48 <= recip * tick. recip * tick (< 2^80) is built
    // by shift and add, one bit of tick a cycle (L_HMUL loads, L_HSUM adds until no bit is
    // left: at most 16 cycles, once a day; no multiplier: an ECP5 MULT18X18D as yosys maps
    // it has no register inside and takes 7.3 ns register to register at speed 8). Its tick
    // is the header's low 16 bits, as the TICK check (tick <= 65535) comes first. With
    // p = recip * tick: 2^48 <= p < 2^48 + tick, i.e. p[79:48] = 1 and p[47:0] < tick.
    reg  [79:0] mc_q;                      // recip << (bits of tick done)
    reg  [15:0] tk_q;                      // tick >> (bits done)
    reg  [79:0] rp_q;
    wire        recip_ok  = (rp_q[79:48] == 32'd1) && (rp_q[47:16] == 32'd0) && (rp_q[15:0] < h_tick[15:0]);
    reg  [7:0]  hdr_err;
    always @(*) begin
        if (h_magic != `RG_CONFIG_MAGIC)                  hdr_err = `RG_CFGERR_MAGIC;
        else if (h_version != `RG_CONFIG_VERSION)         hdr_err = `RG_CFGERR_VERSION;
        else if (h_ns == 8'd0 || h_ns > MS8)              hdr_err = `RG_CFGERR_N_SYMBOLS;
        else if (h_na == 8'd0 || h_na > MA8)              hdr_err = `RG_CFGERR_N_ACCOUNTS;
        else if (h_tick == 32'd0 || h_tick > 32'd65535)   hdr_err = `RG_CFGERR_TICK;
        else if (h_win != WIN)                            hdr_err = `RG_CFGERR_WINDOW_TICKS;
        else if (!recip_ok)                               hdr_err = `RG_CFGERR_TICK_RECIP;
        else if (h_w_shift > 8'd63)                       hdr_err = `RG_CFGERR_W_SHIFT;
        else if (h_gate > 8'd1 || h_gkill > 8'd1)         hdr_err = `RG_CFGERR_HEADER_FLAG;
        else                                              hdr_err = 8'd0;
    end

    // symbol checks
    wire        s_pos_ok  = s_pos[63] ? (s_pos >= 64'hFFFF_FFFF_8000_0001) : (s_pos <= 64'h0000_0000_7FFF_FFFF);
    reg  [7:0]  sym_err;
    always @(*) begin
        if (s_acct >= n_accounts)                      sym_err = `RG_CFGERR_SYMBOL_ACCOUNT;
        else if (s_kill > 8'd1)                        sym_err = `RG_CFGERR_SYMBOL_KILL;
        else if (s_pos_lim > 64'h0000_0000_7FFF_FFFF)  sym_err = `RG_CFGERR_POSITION_LIMIT;
        else if (!s_pos_ok)                            sym_err = `RG_CFGERR_START_POSITION;
        else                                           sym_err = 8'd0;
    end

    // the directory compares names with the first character in the MSB
    wire [63:0] s_name = {s_name_le[7:0], s_name_le[15:8], s_name_le[23:16], s_name_le[31:24],
                          s_name_le[39:32], s_name_le[47:40], s_name_le[55:48], s_name_le[63:56]};

    // reserved bytes are not checked by the card (spec section 15)
    wire unused_ok = ^{h_rsv0,
                       s_rsv, s_pos[63:32], s_pos_lim[63:32], h_tick[31:16], h_w_shift[7:6], h_gate[7:1],
                       h_gkill[7:1], s_kill[7:1]};

    always @(posedge clk) begin
        if (rst) begin
            st_q       <= L_IDLE;
            kind_q     <= K_HDR;
            idx_q      <= 8'd0;
            base_q     <= {BAW{1'b0}};
            cnt_q      <= {CNT_W{1'b0}};
            cap_1h_q   <= {BUF_WORDS{1'b0}};
            buf_q      <= {(32*BUF_WORDS){1'b0}};
            ld_rd_en   <= 1'b0;
            ld_rd_addr <= {BAW{1'b0}};
            ready      <= 1'b0;
            error      <= 8'd0;
            err_index  <= 8'd0;
            n_symbols  <= 8'd0;
            n_accounts <= 8'd0;
            tick       <= 16'd1;
            tick_recip <= 49'd0;
            w_shift    <= 6'd0;
            gate       <= 1'b0;
            session    <= 32'd0;
            imb_num    <= 32'd0;
            imb_den    <= 32'd0;
            cooldown   <= 64'd0;
            max_spread <= 32'd0;
            clip       <= 32'd0;
            fingerprint <= 64'd0;
            names      <= {(MAX_SYMBOLS*64){1'b0}};
            init_hdr_we  <= 1'b0;
            init_global_kill <= 1'b0;
            init_sym_we  <= 1'b0;
            init_sym_idx <= {SYM_W{1'b0}};
            init_sym_acct <= {ACCT_W{1'b0}};
            init_sym_kill <= 1'b0;
            init_sym_collar <= 16'd0;
            init_sym_max_qty <= 32'd0;
            init_sym_max_notional <= 64'd0;
            init_sym_pos_limit <= 32'd0;
            init_sym_pos <= 32'd0;
            init_acct_we <= 1'b0;
            init_acct_idx <= {ACCT_W{1'b0}};
            init_acct_id <= 32'd0;
            init_acct_max_orders <= 32'd0;
            init_acct_credit <= 64'd0;
            init_acct_used <= 64'd0;
            init_acct_dup_window <= 64'd0;
        end else begin
            init_hdr_we  <= 1'b0;
            init_sym_we  <= 1'b0;
            init_acct_we <= 1'b0;
            ld_rd_en     <= 1'b0;
            cap_1h_q     <= {BUF_WORDS{1'b0}};
            case (st_q)
                L_IDLE: begin
                    if (wr_en && wr_addr == `RG_REG_CONTROL && wr_data[`RG_CONTROL_LOAD]) begin
                        st_q   <= L_READ;
                        kind_q <= K_HDR;
                        idx_q  <= 8'd0;
                        base_q <= {BAW{1'b0}};
                        cnt_q  <= {CNT_W{1'b0}};
                    end
                end
                L_READ: begin
                    // cycle c issues word c (c < nwords); captures word c-3 (c >= 3) from the
                    // register behind the RAM (a block RAM's output goes to one register only)
                    if (cnt_q < nwords) begin
                        ld_rd_en   <= 1'b1;
                        ld_rd_addr <= base_q + {{(BAW-CNT_W){1'b0}}, cnt_q};
                    end
                    // next cycle (cnt_q >= 3) captures word cnt_q - 3
                    for (cw = 0; cw < BUF_WORDS; cw = cw + 1) begin
                        if (cap_1h_q[cw]) buf_q[32*cw +: 32] <= blob_q;
                        cap_1h_q[cw] <= ({{(32-CNT_W){1'b0}}, cnt_q} == cw + 2);
                    end
                    cnt_q <= cnt_q + 1'b1;
                    if (cnt_q == nwords + {{(CNT_W-2){1'b0}}, 2'd2}) st_q <= (kind_q == K_HDR) ? L_HMUL : L_CHK;
                end
                L_HMUL: begin
                    rp_q <= 80'd0;
                    mc_q <= {16'd0, h_recip};
                    tk_q <= h_tick[15:0];
                    st_q <= L_HSUM;
                end
                L_HSUM: begin
                    if (tk_q[0]) rp_q <= rp_q + mc_q;
                    mc_q <= {mc_q[78:0], 1'b0};
                    tk_q <= {1'b0, tk_q[15:1]};
                    if (tk_q == 16'd0) st_q <= L_CHK;
                end
                L_CHK: begin
                    hdr_err_q <= hdr_err;
                    sym_err_q <= sym_err;
                    st_q      <= L_PROC;
                end
                L_PROC: begin
                    cnt_q <= {CNT_W{1'b0}};
                    st_q  <= L_READ;
                    case (kind_q)
                        K_HDR: begin
                            if (hdr_err_q != 8'd0) begin
                                error <= hdr_err_q;
                                st_q  <= L_ERR;
                            end else begin
                                n_symbols  <= h_ns;
                                n_accounts <= h_na;
                                tick       <= h_tick[15:0];
                                tick_recip <= h_recip[48:0];
                                w_shift    <= h_w_shift[5:0];
                                gate       <= h_gate[0];
                                session    <= h_session;
                                imb_num    <= h_imb_num;
                                imb_den    <= h_imb_den;
                                cooldown   <= h_cooldown;
                                max_spread <= h_spread;
                                clip       <= h_clip;
                                fingerprint <= h_fp;
                                init_hdr_we      <= 1'b1;
                                init_global_kill <= h_gkill[0];
                                kind_q <= K_SYM;
                                idx_q  <= 8'd0;
                                base_q <= base_q + HDR_WORDS[BAW-1:0];
                            end
                        end
                        K_SYM: begin
                            if (sym_err_q != 8'd0) begin
                                error     <= sym_err_q;
                                err_index <= idx_q;
                                st_q      <= L_ERR;
                            end else begin
                                names[64*idx_q[SYM_W-1:0] +: 64] <= s_name;
                                init_sym_we           <= 1'b1;
                                init_sym_idx          <= idx_q[SYM_W-1:0];
                                init_sym_acct         <= s_acct[ACCT_W-1:0];
                                init_sym_kill         <= s_kill[0];
                                init_sym_collar       <= s_collar;
                                init_sym_max_qty      <= s_max_qty;
                                init_sym_max_notional <= s_max_not;
                                init_sym_pos_limit    <= s_pos_lim[31:0];
                                init_sym_pos          <= s_pos[31:0];
                                base_q <= base_q + SYM_WORDS[BAW-1:0];
                                if (idx_q + 8'd1 == n_symbols) begin
                                    kind_q <= K_ACCT;
                                    idx_q  <= 8'd0;
                                end else begin
                                    idx_q <= idx_q + 8'd1;
                                end
                            end
                        end
                        default: begin // K_ACCT
                            init_acct_we         <= 1'b1;
                            init_acct_idx        <= idx_q[ACCT_W-1:0];
                            init_acct_id         <= a_id;
                            init_acct_max_orders <= a_max_ord;
                            init_acct_credit     <= a_credit;
                            init_acct_used       <= a_used;
                            init_acct_dup_window <= a_dup;
                            base_q <= base_q + ACCT_WORDS[BAW-1:0];
                            if (idx_q + 8'd1 == n_accounts) begin
                                st_q  <= L_DONE;
                                ready <= 1'b1;
                            end else begin
                                idx_q <= idx_q + 8'd1;
                            end
                        end
                    endcase
                end
                default: ; // L_DONE, L_ERR: stay until reset
            endcase
        end
    end

    assign loading = (st_q == L_READ) || (st_q == L_PROC) || (st_q == L_HMUL) || (st_q == L_HSUM) || (st_q == L_CHK);
endmodule
`default_nettype wire
