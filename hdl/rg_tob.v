// Analytics / top of book (spec section 7): prices of the best levels, the imbalance
// comparisons the strategy uses, and the TOB record decision: after a message that touched
// symbol i's book, a TOB record is emitted iff the tuple (bid_px, bid_sz, ask_px, ask_sz) or
// the flags differ from the last emitted ones (record version 2: every flags change is a
// record).
//
// Two stages, one event per cycle:
//   T1  price of idx = (base_q + idx) * TICK (an empty side is price 0 size 0); the four
//       imbalance products bid_sz * IMB_DEN, ask_sz * IMB_NUM, ask_sz * IMB_DEN,
//       bid_sz * IMB_NUM (u64, cross-multiplied: no ratio is ever formed) as their 16 x 16
//       partial products, one MULT18X18D each straight into a register (no adder after it)
//   T2  compare with the last emitted tuple and flags of the symbol, store them when emitting;
//       buy_ok = bid_sz*DEN >= ask_sz*NUM, sell_ok = ask_sz*DEN >= bid_sz*NUM, each the sign
//       of the difference of the partial products: three carry-save levels, one carry chain
// The last-emitted tuples and flags are read and written in T2 only, so back-to-back events of the
// same symbol need no forwarding.
`default_nettype none
`include "rg_contract.vh"
module rg_tob #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer WINDOW_TICKS = 4096,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer IDX_W        = $clog2(WINDOW_TICKS)
) (
    input  wire                  clk,
    input  wire                  rst,
    input  wire [15:0]           cfg_tick,
    input  wire [31:0]           cfg_imb_num,
    input  wire [31:0]           cfg_imb_den,

    input  wire                  s_valid,
    output wire                  s_ready,
    input  wire [`RG_EV_W-1:0]   s_ev,
    input  wire [`RG_BOOK_W-1:0] s_book,

    output wire                  m_valid,
    input  wire                  m_ready,
    output wire [`RG_EV_W-1:0]   m_ev,
    output wire [`RG_TOB_W-1:0]  m_tob,       // EMIT: a TOB record (the strategy runs)

    output reg                   st_tob,
    output reg                   st_flagged,
    output wire                  idle
);
    initial begin
        `RG_CHECK_MAX_SYMBOLS(MAX_SYMBOLS)
        `RG_CHECK_WINDOW_TICKS(WINDOW_TICKS)
        if (SYM_W != ((MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1) || IDX_W != $clog2(WINDOW_TICKS)
            || IDX_W > `RG_BOOK_BID_IDX_W) begin
            $error("rg_tob: SYM_W = %0d / IDX_W = %0d differ from their derivation (instance %m)", SYM_W, IDX_W);
            $finish;
        end
    end

    // fields of the BOOK bus
    wire             s_touch     = s_book[`RG_BOOK_TOUCH_LO];
    wire [SYM_W-1:0] s_sym       = s_book[`RG_BOOK_SYM_LO +: SYM_W];
    wire [7:0]       s_flags     = s_book[`RG_BOOK_FLAGS_LO +: `RG_BOOK_FLAGS_W];
    wire             s_bid_valid = s_book[`RG_BOOK_BID_VALID_LO];
    wire [`RG_BOOK_BID_IDX_W-1:0] bid_idx_f = s_book[`RG_BOOK_BID_IDX_LO +: `RG_BOOK_BID_IDX_W];
    wire [IDX_W-1:0] s_bid_idx   = bid_idx_f[IDX_W-1:0];
    wire [31:0]      s_bid_sz    = s_book[`RG_BOOK_BID_SZ_LO +: `RG_BOOK_BID_SZ_W];
    wire             s_ask_valid = s_book[`RG_BOOK_ASK_VALID_LO];
    wire [`RG_BOOK_ASK_IDX_W-1:0] ask_idx_f = s_book[`RG_BOOK_ASK_IDX_LO +: `RG_BOOK_ASK_IDX_W];
    wire [IDX_W-1:0] s_ask_idx   = ask_idx_f[IDX_W-1:0];
    wire [31:0]      s_ask_sz    = s_book[`RG_BOOK_ASK_SZ_LO +: `RG_BOOK_ASK_SZ_W];
    wire [31:0]      s_base_q    = s_book[`RG_BOOK_BASE_Q_LO +: `RG_BOOK_BASE_Q_W];
    wire unused_book = ^{s_book[`RG_BOOK_SYM_LO + SYM_W +: `RG_BOOK_SYM_W - SYM_W], bid_idx_f >> IDX_W, ask_idx_f >> IDX_W};

    // ---------------------------------------------------------------- T1
    reg                v1_q;
    reg [`RG_EV_W-1:0] ev1_q;
    reg                touch1_q;
    reg [SYM_W-1:0]    sym1_q;
    reg [7:0]          flags1_q;
    reg [31:0]         bpx1_q, bsz1_q, apx1_q, asz1_q;
    // 16 x 16 partial products {hh, hl, lh, ll} (x_hi * y_hi, x_hi * y_lo, x_lo * y_hi, x_lo * y_lo)
    reg [127:0]        bd1_q, an1_q, ad1_q, bn1_q;

    // ---------------------------------------------------------------- T2 / output
    reg                v2_q;
    reg [`RG_EV_W-1:0] ev2_q;
    reg [SYM_W-1:0]    sym2_q;
    reg [7:0]          flags2_q;
    reg                tob2_q;
    reg [31:0]         bpx2_q, bsz2_q, apx2_q, asz2_q;
    reg                buy2_q, sell2_q;

    reg [MAX_SYMBOLS*128-1:0] last_q;    // last emitted tuple per symbol
    reg [MAX_SYMBOLS*8-1:0]   lastf_q;   // last emitted flags per symbol

    wire adv2 = !v2_q || m_ready;
    wire adv1 = !v1_q || adv2;
    assign s_ready = adv1;

    wire [31:0] bid_lvl  = s_base_q + {{(32-IDX_W){1'b0}}, s_bid_idx};
    wire [31:0] ask_lvl  = s_base_q + {{(32-IDX_W){1'b0}}, s_ask_idx};
    wire [47:0] bid_prod = {16'd0, bid_lvl} * {32'd0, cfg_tick};
    wire [47:0] ask_prod = {16'd0, ask_lvl} * {32'd0, cfg_tick};
    wire        unused_prod = ^{bid_prod[47:32], ask_prod[47:32]};
    wire [31:0] bsz_in   = s_bid_valid ? s_bid_sz : 32'd0;
    wire [31:0] asz_in   = s_ask_valid ? s_ask_sz : 32'd0;

    // x * y as its four 16 x 16 partial products {hh, hl, lh, ll}
    function [127:0] pp(input [31:0] x, input [31:0] y);
        begin
            pp = {{16'd0, x[31:16]} * {16'd0, y[31:16]}, {16'd0, x[31:16]} * {16'd0, y[15:0]},
                  {16'd0, x[15:0]} * {16'd0, y[31:16]},  {16'd0, x[15:0]} * {16'd0, y[15:0]}};
        end
    endfunction

    // one carry-save level: a + b + c = sum + (carry << 1) (mod 2^66): {sum, carry[64:0]}
    function [130:0] csa(input [65:0] a, input [65:0] b, input [65:0] c);
        reg [64:0] maj;
        begin
            maj = (a[64:0] & b[64:0]) | (a[64:0] & c[64:0]) | (b[64:0] & c[64:0]);
            csa = {a ^ b ^ c, maj};
        end
    endfunction

    // x - y from the partial products of x = {hh, ll} + (hl + lh) << 16 and y likewise, as
    // x + ~y + 1 summed over the six terms (y's three negated, +3): three carry-save levels,
    // then one adder. The +3: two carry vectors' free bit 0 (+2), and the final adder's carry
    // in (+1). Returns (x - y) << 1 in 67 bits (66-bit difference, exact: |x - y| < 2^64), so
    // bit 66 is the sign: x >= y when it is 0.
    function [66:0] diff_pp(input [127:0] px, input [127:0] py);
        reg [65:0] x0, x1, x2, y0, y1, y2, s1, c1, s2, c2, s3, c3, s4, c4;
        reg [130:0] t;
        begin
            x0 = {2'b00, px[127:96], px[31:0]};
            x1 = {18'd0, px[95:64], 16'd0};
            x2 = {18'd0, px[63:32], 16'd0};
            y0 = ~{2'b00, py[127:96], py[31:0]};
            y1 = ~{18'd0, py[95:64], 16'd0};
            y2 = ~{18'd0, py[63:32], 16'd0};
            t = csa(x0, x1, x2); s1 = t[130:65]; c1 = {t[64:0], 1'b1};
            t = csa(y0, y1, y2); s2 = t[130:65]; c2 = {t[64:0], 1'b1};
            t = csa(s1, c1, s2); s3 = t[130:65]; c3 = {t[64:0], 1'b0};
            t = csa(s3, c3, c2); s4 = t[130:65]; c4 = {t[64:0], 1'b0};
            diff_pp = {s4, 1'b1} + {c4, 1'b1};       // (s4 + c4 + 1) << 1
        end
    endfunction
    wire [66:0] buy_diff  = diff_pp(bd1_q, an1_q);
    wire [66:0] sell_diff = diff_pp(ad1_q, bn1_q);
    wire        unused_diff = ^{buy_diff[65:0], sell_diff[65:0]};

    // T1 partial products (no reset: read only behind v1_q)
    always @(posedge clk) begin
        if (adv1 && s_valid) begin
            bd1_q <= pp(bsz_in, cfg_imb_den);
            an1_q <= pp(asz_in, cfg_imb_num);
            ad1_q <= pp(asz_in, cfg_imb_den);
            bn1_q <= pp(bsz_in, cfg_imb_num);
        end
    end

    wire [127:0] tuple1 = {asz1_q, apx1_q, bsz1_q, bpx1_q};
    wire [127:0] last1  = last_q[sym1_q*128 +: 128];
    wire [7:0]   lastf1 = lastf_q[sym1_q*8 +: 8];
    wire         emit1  = touch1_q && ((tuple1 != last1) || (flags1_q != lastf1));

    always @(posedge clk) begin
        if (rst) begin
            v1_q     <= 1'b0;
            ev1_q    <= {`RG_EV_W{1'b0}};
            touch1_q <= 1'b0;
            sym1_q   <= {SYM_W{1'b0}};
            flags1_q <= 8'd0;
            bpx1_q   <= 32'd0;
            bsz1_q   <= 32'd0;
            apx1_q   <= 32'd0;
            asz1_q   <= 32'd0;
            buy2_q   <= 1'b0;
            sell2_q  <= 1'b0;
            v2_q     <= 1'b0;
            ev2_q    <= {`RG_EV_W{1'b0}};
            sym2_q   <= {SYM_W{1'b0}};
            flags2_q <= 8'd0;
            tob2_q   <= 1'b0;
            bpx2_q   <= 32'd0;
            bsz2_q   <= 32'd0;
            apx2_q   <= 32'd0;
            asz2_q   <= 32'd0;
            last_q   <= {(MAX_SYMBOLS*128){1'b0}};
            lastf_q  <= {(MAX_SYMBOLS*8){1'b0}};
            st_tob     <= 1'b0;
            st_flagged <= 1'b0;
        end else begin
            st_tob     <= 1'b0;
            st_flagged <= 1'b0;
            if (adv1) begin
                v1_q <= s_valid;
                if (s_valid) begin
                    ev1_q    <= s_ev;
                    touch1_q <= s_touch;
                    sym1_q   <= s_sym;
                    flags1_q <= s_flags;
                    bpx1_q   <= s_bid_valid ? bid_prod[31:0] : 32'd0;
                    bsz1_q   <= bsz_in;
                    apx1_q   <= s_ask_valid ? ask_prod[31:0] : 32'd0;
                    asz1_q   <= asz_in;
                end
            end
            if (adv2) begin
                v2_q <= v1_q;
                if (v1_q) begin
                    ev2_q    <= ev1_q;
                    sym2_q   <= sym1_q;
                    flags2_q <= flags1_q;
                    tob2_q   <= emit1;
                    bpx2_q   <= bpx1_q;
                    bsz2_q   <= bsz1_q;
                    apx2_q   <= apx1_q;
                    asz2_q   <= asz1_q;
                    buy2_q   <= !buy_diff[66];
                    sell2_q  <= !sell_diff[66];
                    if (emit1) begin
                        last_q[sym1_q*128 +: 128] <= tuple1;
                        lastf_q[sym1_q*8 +: 8]    <= flags1_q;
                    end
                    st_tob     <= emit1;
                    st_flagged <= touch1_q && (flags1_q != 8'd0);
                end
            end
        end
    end

    reg [`RG_TOB_W-1:0] tob2;
    always @(*) begin
        tob2 = {`RG_TOB_W{1'b0}};
        tob2[`RG_TOB_SYM_LO +: SYM_W]                  = sym2_q;
        tob2[`RG_TOB_FLAGS_LO +: `RG_TOB_FLAGS_W]      = flags2_q;
        tob2[`RG_TOB_EMIT_LO]                          = tob2_q;
        tob2[`RG_TOB_BID_PX_LO +: `RG_TOB_BID_PX_W]    = bpx2_q;
        tob2[`RG_TOB_BID_SZ_LO +: `RG_TOB_BID_SZ_W]    = bsz2_q;
        tob2[`RG_TOB_ASK_PX_LO +: `RG_TOB_ASK_PX_W]    = apx2_q;
        tob2[`RG_TOB_ASK_SZ_LO +: `RG_TOB_ASK_SZ_W]    = asz2_q;
        tob2[`RG_TOB_BUY_OK_LO]                        = buy2_q;
        tob2[`RG_TOB_SELL_OK_LO]                       = sell2_q;
    end

    assign m_valid = v2_q;
    assign m_ev    = ev2_q;
    assign m_tob   = tob2;
    assign idle     = !v1_q && !v2_q;
endmodule
`default_nettype wire
