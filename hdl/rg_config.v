// Start-of-day configuration (spec section 10) through the register port.
//
// The control plane writes the config blob as 32-bit little-endian words at byte address
// = blob offset (0x0000..0x3FFF) into a blob RAM, then writes 1 to CONTROL (0x8000). The
// loader walks the blob (header, then n_symbols symbol entries, then n_accounts account
// entries), checks every range of spec section 10, and writes the values into the stages
// (header registers, symbol names for the directory, start values for the risk stage).
// It sets `ready` when the whole blob is valid; otherwise `error` holds a code and
// `err_index` the symbol or account index. After an error the engine must be reset.
//
// Error codes: 1 magic, 2 version, 3 n_symbols, 4 n_accounts, 5 TICK, 6 WINDOW_TICKS,
// 7 TICK_RECIP, 8 W_SHIFT, 9 a 0/1 flag of the header, 10 symbol account index,
// 11 symbol kill flag, 12 symbol position_limit, 13 symbol start position.
`default_nettype none
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
    output reg  [63:0]               init_acct_used
);
    localparam integer BLOB_WORDS = 16 + 12 * MAX_SYMBOLS + 8 * MAX_ACCOUNTS;
    localparam integer BAW        = $clog2(BLOB_WORDS);
    localparam [31:0]  MAGIC      = 32'h3143_4752;    // "RGC1" little-endian
    localparam [31:0]  WIN        = WINDOW_TICKS;
    localparam [15:0]  CTRL_ADDR  = 16'h8000;
    localparam [15:0]  BW16       = BLOB_WORDS[15:0];
    localparam [7:0]   MS8        = MAX_SYMBOLS[7:0];
    localparam [7:0]   MA8        = MAX_ACCOUNTS[7:0];

    localparam [2:0] L_IDLE = 3'd0, L_READ = 3'd1, L_PROC = 3'd2, L_DONE = 3'd3, L_ERR = 3'd4;
    localparam [1:0] K_HDR = 2'd0, K_SYM = 2'd1, K_ACCT = 2'd2;

    // ---------------------------------------------------------------- blob RAM
    wire           blob_we = wr_en && (wr_addr[15:14] == 2'b00) && ({2'b00, wr_addr[15:2]} < BW16);
    reg            ld_rd_en;
    reg  [BAW-1:0] ld_rd_addr;
    wire [31:0]    blob_rd;

    rg_ram_sdp #(.ADDR_W(BAW), .WIDTH(32), .LANES(1)) u_blob (
        .clk(clk),
        .wr_en(blob_we), .wr_be(1'b1), .wr_addr(wr_addr[BAW+1:2]), .wr_data(wr_data),
        .rd_en(ld_rd_en || rd_en), .rd_addr(ld_rd_en ? ld_rd_addr : rd_addr[BAW+1:2]), .rd_data(blob_rd)
    );
    assign rd_data = blob_rd;
    wire unused_rd_addr = ^{rd_addr[15:BAW+2], rd_addr[1:0], wr_addr[13:BAW+2], wr_addr[1:0]};

    // ---------------------------------------------------------------- loader
    reg [2:0]     st_q;
    reg [1:0]     kind_q;
    reg [7:0]     idx_q;
    reg [BAW-1:0] base_q;
    reg [4:0]     cnt_q;            // read cycle within the entry
    reg [32*16-1:0] buf_q;

    wire [4:0] nwords = (kind_q == K_HDR) ? 5'd16 : (kind_q == K_SYM) ? 5'd12 : 5'd8;
    wire [31:0] bw [0:15];
    genvar gi;
    generate
        for (gi = 0; gi < 16; gi = gi + 1) begin : g_bw
            assign bw[gi] = buf_q[32*gi +: 32];
        end
    endgenerate

    // header checks
    wire [15:0] h_version = bw[1][15:0];
    wire [7:0]  h_ns      = bw[1][23:16];
    wire [7:0]  h_na      = bw[1][31:24];
    wire [31:0] h_tick    = bw[2];
    wire [63:0] h_recip   = {bw[5], bw[4]};
    wire [79:0] recip80   = {16'd0, h_recip};
    wire [79:0] rp_hi     = recip80 * {48'd0, h_tick};
    // (recip - 1) * tick = recip * tick - tick (mod 2^80): one product, no subtract before it
    wire [79:0] rp_lo     = rp_hi - {48'd0, h_tick};
    wire        recip_ok  = (rp_hi >= (80'd1 << 48)) && (rp_lo < (80'd1 << 48));
    reg  [7:0]  hdr_err;
    always @(*) begin
        if (bw[0] != MAGIC)                                          hdr_err = 8'd1;
        else if (h_version != 16'd1)                                hdr_err = 8'd2;
        else if (h_ns == 8'd0 || h_ns > MS8)                hdr_err = 8'd3;
        else if (h_na == 8'd0 || h_na > MA8)               hdr_err = 8'd4;
        else if (h_tick == 32'd0 || h_tick > 32'd65535)             hdr_err = 8'd5;
        else if (bw[3] != WIN)                                       hdr_err = 8'd6;
        else if (!recip_ok)                                         hdr_err = 8'd7;
        else if (bw[6][7:0] > 8'd63)                                 hdr_err = 8'd8;
        else if (bw[6][15:8] > 8'd1 || bw[6][23:16] > 8'd1)           hdr_err = 8'd9;
        else                                                        hdr_err = 8'd0;
    end

    // symbol checks
    wire [63:0] s_pos_lim = {bw[7], bw[6]};
    wire [63:0] s_pos     = {bw[9], bw[8]};
    wire        s_pos_ok  = s_pos[63] ? (s_pos >= 64'hFFFF_FFFF_8000_0001) : (s_pos <= 64'h0000_0000_7FFF_FFFF);
    reg  [7:0]  sym_err;
    always @(*) begin
        if (bw[2][7:0] >= n_accounts)                   sym_err = 8'd10;
        else if (bw[2][15:8] > 8'd1)                    sym_err = 8'd11;
        else if (s_pos_lim > 64'h0000_0000_7FFF_FFFF)  sym_err = 8'd12;
        else if (!s_pos_ok)                            sym_err = 8'd13;
        else                                           sym_err = 8'd0;
    end

    wire [63:0] s_name = {bw[0][7:0], bw[0][15:8], bw[0][23:16], bw[0][31:24],
                          bw[1][7:0], bw[1][15:8], bw[1][23:16], bw[1][31:24]};

    wire unused_ok = ^{rp_hi[79:49], rp_lo[79:49], rp_hi[47:0], rp_lo[47:0], bw[6][31:24],
                       bw[10], bw[11], bw[14], bw[15], h_recip[63:49]};

    always @(posedge clk) begin
        if (rst) begin
            st_q       <= L_IDLE;
            kind_q     <= K_HDR;
            idx_q      <= 8'd0;
            base_q     <= {BAW{1'b0}};
            cnt_q      <= 5'd0;
            buf_q      <= {(32*16){1'b0}};
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
        end else begin
            init_hdr_we  <= 1'b0;
            init_sym_we  <= 1'b0;
            init_acct_we <= 1'b0;
            ld_rd_en     <= 1'b0;
            case (st_q)
                L_IDLE: begin
                    if (wr_en && wr_addr == CTRL_ADDR && wr_data[0]) begin
                        st_q   <= L_READ;
                        kind_q <= K_HDR;
                        idx_q  <= 8'd0;
                        base_q <= {BAW{1'b0}};
                        cnt_q  <= 5'd0;
                    end
                end
                L_READ: begin
                    // cycle c issues word c (c < nwords); captures word c-1 (c >= 1)
                    if (cnt_q < nwords) begin
                        ld_rd_en   <= 1'b1;
                        ld_rd_addr <= base_q + {{(BAW-5){1'b0}}, cnt_q};
                    end
                    if (cnt_q >= 5'd2) buf_q[32*(cnt_q-5'd2) +: 32] <= blob_rd;
                    cnt_q <= cnt_q + 5'd1;
                    if (cnt_q == nwords + 5'd1) st_q <= L_PROC;
                end
                L_PROC: begin
                    cnt_q <= 5'd0;
                    st_q  <= L_READ;
                    case (kind_q)
                        K_HDR: begin
                            if (hdr_err != 8'd0) begin
                                error <= hdr_err;
                                st_q  <= L_ERR;
                            end else begin
                                n_symbols  <= h_ns;
                                n_accounts <= h_na;
                                tick       <= h_tick[15:0];
                                tick_recip <= h_recip[48:0];
                                w_shift    <= bw[6][5:0];
                                gate       <= bw[6][8];
                                session    <= bw[7];
                                imb_num    <= bw[8];
                                imb_den    <= bw[9];
                                cooldown   <= {bw[11], bw[10]};
                                max_spread <= bw[12];
                                clip       <= bw[13];
                                init_hdr_we      <= 1'b1;
                                init_global_kill <= bw[6][16];
                                kind_q <= K_SYM;
                                idx_q  <= 8'd0;
                                base_q <= base_q + 16;
                            end
                        end
                        K_SYM: begin
                            if (sym_err != 8'd0) begin
                                error     <= sym_err;
                                err_index <= idx_q;
                                st_q      <= L_ERR;
                            end else begin
                                names[64*idx_q[SYM_W-1:0] +: 64] <= s_name;
                                init_sym_we           <= 1'b1;
                                init_sym_idx          <= idx_q[SYM_W-1:0];
                                init_sym_acct         <= bw[2][ACCT_W-1:0];
                                init_sym_kill         <= bw[2][8];
                                init_sym_collar       <= bw[2][31:16];
                                init_sym_max_qty      <= bw[3];
                                init_sym_max_notional <= {bw[5], bw[4]};
                                init_sym_pos_limit    <= bw[6];
                                init_sym_pos          <= bw[8];
                                base_q <= base_q + 12;
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
                            init_acct_id         <= bw[0];
                            init_acct_max_orders <= bw[1];
                            init_acct_credit     <= {bw[3], bw[2]};
                            init_acct_used       <= {bw[5], bw[4]};
                            base_q <= base_q + 8;
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

    assign loading = (st_q == L_READ) || (st_q == L_PROC);
endmodule
`default_nettype wire
