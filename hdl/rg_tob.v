// Analytics / top of book (spec section 7): prices of the best levels, the imbalance
// comparisons the strategy uses, and the TOB record decision: after a message that touched
// symbol i's book, a TOB record is emitted iff the tuple (bid_px, bid_sz, ask_px, ask_sz) or
// the flags differ from the last emitted ones (record version 2: every flags change is a
// record).
//
// Two stages, one event per cycle:
//   T1  price of idx = (base_q + idx) * TICK (an empty side is price 0 size 0) as three
//       products registered unsummed, base_lo * TICK, base_hi * TICK (mod 2^16) and
//       idx * TICK (one MULT18X18D each: no adder before or after it); the four
//       imbalance products bid_sz * IMB_DEN, ask_sz * IMB_NUM, ask_sz * IMB_DEN,
//       bid_sz * IMB_NUM (u64, cross-multiplied: no ratio is ever formed) as their 16 x 16
//       partial products, one MULT18X18D each straight into a register (no adder after it)
//   T2  compare with the last emitted tuple and flags of the symbol, store them when emitting
//       (a price equals the last one when its three products plus ~last sum to all ones,
//       tested without a carry chain; the price itself is summed beside it, for the registers);
//       buy_ok = bid_sz*DEN >= ask_sz*NUM, sell_ok = ask_sz*DEN >= bid_sz*NUM, each the sign
//       of the difference of the partial products: three carry-save levels, one carry chain
// The last-emitted tuples and flags are read in T2 and written the cycle after, from T2's
// registers; an event of the same symbol compared in that cycle takes T2's registers.
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
    reg [31:0]         bsz1_q, asz1_q;
    reg                bv1_q, av1_q;
    // price products: {base_hi * TICK mod 2^16, base_lo * TICK, idx * TICK}
    reg [79:0]         bpp1_q, app1_q;
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
            bpp1_q <= price_pp(s_base_q, s_bid_idx, cfg_tick);
            app1_q <= price_pp(s_base_q, s_ask_idx, cfg_tick);
            ad1_q <= pp(asz_in, cfg_imb_den);
            bn1_q <= pp(bsz_in, cfg_imb_num);
        end
    end

    // (base + idx) * TICK mod 2^32 = base_lo * TICK + (base_hi * TICK mod 2^16) << 16 + idx * TICK
    function [79:0] price_pp(input [31:0] base, input [IDX_W-1:0] idx, input [15:0] tick);
        reg [15:0] hi;
        begin
            hi = base[31:16] * tick;              // mod 2^16
            price_pp = {hi, {16'd0, base[15:0]} * {16'd0, tick},
                        {{(32-IDX_W){1'b0}}, idx} * {16'd0, tick}};
        end
    endfunction

    // the price from its products (an empty side is 0)
    function [31:0] price_sum(input v, input [79:0] prods);
        begin
            price_sum = v ? (prods[63:32] + {prods[79:64], 16'd0} + prods[31:0]) : 32'd0;
        end
    endfunction

    // price == last without a carry chain: a + b + c = last exactly when a + b + c + ~last
    // = 2^32 - 1 (mod 2^32); two carry-save levels give x + y for that sum, and x + y = 2^32 - 1
    // (x, y < 2^32) exactly when y = ~x
    function price_eq(input v, input [79:0] prods, input [31:0] last);
        reg [31:0] a, b, c, nl, s1, k1, s2, k2;
        reg [30:0] m1, m2;
        begin
            a = prods[63:32]; b = {prods[79:64], 16'd0}; c = prods[31:0]; nl = ~last;
            s1 = a ^ b ^ c;
            m1 = (a[30:0] & b[30:0]) | (a[30:0] & c[30:0]) | (b[30:0] & c[30:0]);
            k1 = {m1, 1'b0};
            s2 = s1 ^ k1 ^ nl;
            m2 = (s1[30:0] & k1[30:0]) | (s1[30:0] & nl[30:0]) | (k1[30:0] & nl[30:0]);
            k2 = {m2, 1'b0};
            price_eq = v ? ((s2 ^ k2) == 32'hFFFF_FFFF) : (last == 32'd0);
        end
    endfunction

    wire [31:0]  bpx1   = price_sum(bv1_q, bpp1_q);
    wire [31:0]  apx1   = price_sum(av1_q, app1_q);
    // the last emitted tuple and flags are written the cycle after T2 took the TOB (pend_q,
    // from T2's registers: emit1 drives two flip-flops, not every tuple bit's enable); in
    // that cycle an event of the same symbol in T1 compares with T2's registers instead
    reg          pend_q;
    wire         byp1   = pend_q && (sym2_q == sym1_q);
    wire [127:0] tuple2 = {asz2_q, apx2_q, bsz2_q, bpx2_q};
    wire [127:0] last1  = byp1 ? tuple2 : last_q[sym1_q*128 +: 128];
    wire         same1  = price_eq(bv1_q, bpp1_q, last1[31:0]) && (bsz1_q == last1[63:32]) &&
                          price_eq(av1_q, app1_q, last1[95:64]) && (asz1_q == last1[127:96]);
    wire [7:0]   lastf1 = byp1 ? flags2_q : lastf_q[sym1_q*8 +: 8];
    wire         emit1  = touch1_q && (!same1 || (flags1_q != lastf1));

    always @(posedge clk) begin
        if (rst) begin
            v1_q     <= 1'b0;
            ev1_q    <= {`RG_EV_W{1'b0}};
            touch1_q <= 1'b0;
            sym1_q   <= {SYM_W{1'b0}};
            flags1_q <= 8'd0;
            bv1_q    <= 1'b0;
            bsz1_q   <= 32'd0;
            av1_q    <= 1'b0;
            asz1_q   <= 32'd0;
            buy2_q   <= 1'b0;
            sell2_q  <= 1'b0;
            v2_q     <= 1'b0;
            ev2_q    <= {`RG_EV_W{1'b0}};
            sym2_q   <= {SYM_W{1'b0}};
            flags2_q <= 8'd0;
            tob2_q   <= 1'b0;
            pend_q   <= 1'b0;
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
            pend_q     <= adv2 && v1_q && emit1;
            if (pend_q) begin
                last_q[sym2_q*128 +: 128] <= tuple2;
                lastf_q[sym2_q*8 +: 8]    <= flags2_q;
            end
            if (adv1) begin
                v1_q <= s_valid;
                if (s_valid) begin
                    ev1_q    <= s_ev;
                    touch1_q <= s_touch;
                    sym1_q   <= s_sym;
                    flags1_q <= s_flags;
                    bv1_q    <= s_bid_valid;
                    bsz1_q   <= bsz_in;
                    av1_q    <= s_ask_valid;
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
                    bpx2_q   <= bpx1;
                    bsz2_q   <= bsz1_q;
                    apx2_q   <= apx1;
                    asz2_q   <= asz1_q;
                    buy2_q   <= !buy_diff[66];
                    sell2_q  <= !sell_diff[66];
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
