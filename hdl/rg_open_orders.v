// Open-order table of the client orders (spec section 18.1, 18.3, 18.4): RG_ORDER_SLOTS
// slots of {open shares, price, account, symbol, side} (open = 0: free), and the sums the
// checks read: per symbol the open buy and sell shares of all accounts (ob, os), per account
// the open notional (on = sum of price x open shares) and the open-order count (oc).
//
// The slot memory is read synchronously (BRAM style: rd_id in cycle N, rd_* in N + 1); the
// sums are registers read combinationally by index. One operation per cycle, applied at the
// clock edge, as the spec's state changes:
//   place   (an accepted enter)   the slot takes {qty, price, account, symbol, side}; the
//                                 sums add qty and price x qty, oc + 1. The slot must be free.
//   replace (an accepted replace) the slot's price and open shares become the frame's; the
//                                 sums drop the old contribution and add the new one.
//   reduce  (a venue execution or cancel of q <= open shares) the slot's open shares - q (and
//                                 the sums with them, at the order's price); at 0 the slot is
//                                 freed and oc - 1.
// An operation carries the order's account, symbol and side and, for replace and reduce, the
// slot's open shares and price as the caller read them (so the memory has one read port, no
// asynchronous read); the caller serialises: an operation on a slot is issued after the read
// that decided it (the risk stage's order path takes one frame at a time). The operands (all
// but op_place / op_replace / op_reduce) must be steady from two cycles before the operation:
// the products of the sums take two registered steps. No sum can overflow: on < 2^32 x
// 10^6 x 4096 < 2^64, ob and os < 10^6 x 4096 < 2^32.
`default_nettype none
`include "rg_contract.vh"
module rg_open_orders #(
    parameter integer MAX_SYMBOLS  = 64,
    parameter integer MAX_ACCOUNTS = 64,
    parameter integer SYM_W        = (MAX_SYMBOLS > 1) ? $clog2(MAX_SYMBOLS) : 1,
    parameter integer ACCT_W       = (MAX_ACCOUNTS > 1) ? $clog2(MAX_ACCOUNTS) : 1
) (
    input  wire              clk,
    input  wire              rst,

    // slot read (result in the next cycle)
    input  wire [11:0]       rd_id,
    output reg  [31:0]       rd_open,
    output reg               rd_nz,         // rd_open != 0 (a 1-bit memory written with open_m)
    output reg  [31:0]       rd_price,
    output reg  [ACCT_W-1:0] rd_acct,
    output reg  [SYM_W-1:0]  rd_sym,
    output reg  [7:0]        rd_side,

    // sums, by index
    input  wire [SYM_W-1:0]  sum_sym,
    input  wire [ACCT_W-1:0] sum_acct,
    output wire [31:0]       sum_ob,
    output wire [31:0]       sum_os,
    output wire [63:0]       sum_on,
    output wire [12:0]       sum_oc,

    // one operation per cycle
    input  wire              op_place,
    input  wire              op_replace,
    input  wire              op_reduce,
    input  wire [11:0]       op_id,
    input  wire [ACCT_W-1:0] op_acct,       // the order's account, symbol and side
    input  wire [SYM_W-1:0]  op_sym,
    input  wire [7:0]        op_side,
    input  wire [31:0]       op_old_open,   // replace, reduce: the slot as read
    input  wire [31:0]       op_old_price,
    input  wire [31:0]       op_price,      // place, replace
    input  wire [31:0]       op_qty,        // place, replace: the open shares; reduce: q
    output wire              busy           // clearing the table after reset
);
    localparam integer SLOTS = `RG_ORDER_SLOTS;
    localparam integer NS    = MAX_SYMBOLS;
    localparam integer NA    = MAX_ACCOUNTS;

    initial begin
        if (SLOTS != 4096) begin
            $error("rg_open_orders: %0d order slots; the 12-bit ids need 4096 (instance %m)", SLOTS);
            $finish;
        end
    end

    reg [31:0]       open_m  [0:SLOTS-1];
    reg [31:0]       price_m [0:SLOTS-1];
    reg [ACCT_W-1:0] acct_m  [0:SLOTS-1];
    reg [SYM_W-1:0]  sym_m   [0:SLOTS-1];
    reg [7:0]        side_m  [0:SLOTS-1];
    // open shares != 0, kept beside open_m, so a reader tests the slot's open / free state
    // without a 32-bit compare after the memory's output (rg_risk's slot tests: 12f9e50's
    // seed-1 critical path, open_m -> rd_open != 0 -> the venue frame's validity -> pexs1_q)
    reg              nz_m    [0:SLOTS-1];

    reg [NS*32-1:0]  ob_q, os_q;
    reg [NA*64-1:0]  on_q;
    reg [NA*13-1:0]  oc_q;

    // reset clears the slots one per cycle (no multi-port reset of a memory)
    reg        clr_q;
    reg [11:0] clr_id_q;
    assign busy = clr_q;

    assign sum_ob = ob_q[sum_sym*32 +: 32];
    assign sum_os = os_q[sum_sym*32 +: 32];
    assign sum_on = on_q[sum_acct*64 +: 64];
    // the 13-bit count of account i, selected with constant slices (an index times 13 is a
    // multiplier, which yosys may map to a MULT18X18D), as a balanced tree of 2:1 muxes
    function [12:0] acct13(input [NA*13-1:0] v, input [ACCT_W-1:0] i);
        reg [(1 << ACCT_W)*13-1:0] t;
        integer k, l;
        begin
            t = {(1 << ACCT_W){v[12:0]}};
            t[NA*13-1:0] = v;
            for (l = 0; l < ACCT_W; l = l + 1)
                for (k = 0; k < ((1 << ACCT_W) >> (l + 1)); k = k + 1)
                    t[k*13 +: 13] = i[l] ? t[(2*k+1)*13 +: 13] : t[(2*k)*13 +: 13];
            acct13 = t[12:0];
        end
    endfunction
    assign sum_oc = acct13(oc_q, sum_acct);

    // the sums that move, and by how much
    wire [31:0]       o_open  = op_old_open;
    wire [31:0]       o_price = op_old_price;
    wire [ACCT_W-1:0] m_acct  = op_acct;
    wire [SYM_W-1:0]  m_sym   = op_sym;
    wire              m_buy   = (op_side == `RG_ASCII_B);
    // the products are registered in two steps: an operation's operands (all but the op_*
    // strobes) are presented from two cycles before it (the risk stage holds an order event in
    // R2 for three cycles), so the sums' update is adds only. The first step registers the
    // 16 x 16 partial products (one MULT18X18D each, no adder after it), the second their sum
    // (a carry-save step and one 64-bit add)
    function [63:0] pp_sum(input [31:0] hh, input [31:0] ll, input [31:0] hl, input [31:0] lh);
        reg [63:0] x, y, z;
        begin
            x = {hh, ll};
            y = {16'd0, hl, 16'd0};
            z = {16'd0, lh, 16'd0};
            pp_sum = (x ^ y ^ z) + {(x[62:0] & y[62:0]) | (x[62:0] & z[62:0]) | (y[62:0] & z[62:0]), 1'b0};
        end
    endfunction
    reg  [31:0]       old_hh, old_ll, old_hl, old_lh, new_hh, new_ll, new_hl, new_lh, red_hh, red_ll, red_hl, red_lh;
    reg  [63:0]       old_n, new_n, red_n;
    always @(posedge clk) begin
        old_hh <= o_price[31:16] * o_open[31:16];     // replace: the old contribution
        old_ll <= o_price[15:0]  * o_open[15:0];
        old_hl <= o_price[31:16] * o_open[15:0];
        old_lh <= o_price[15:0]  * o_open[31:16];
        new_hh <= op_price[31:16] * op_qty[31:16];    // place, replace: the new one
        new_ll <= op_price[15:0]  * op_qty[15:0];
        new_hl <= op_price[31:16] * op_qty[15:0];
        new_lh <= op_price[15:0]  * op_qty[31:16];
        red_hh <= o_price[31:16] * op_qty[31:16];     // reduce
        red_ll <= o_price[15:0]  * op_qty[15:0];
        red_hl <= o_price[31:16] * op_qty[15:0];
        red_lh <= o_price[15:0]  * op_qty[31:16];
        old_n  <= pp_sum(old_hh, old_ll, old_hl, old_lh);
        new_n  <= pp_sum(new_hh, new_ll, new_hl, new_lh);
        red_n  <= pp_sum(red_hh, red_ll, red_hl, red_lh);
    end
    wire [31:0]       left    = o_open - op_qty;                  // reduce
    // the nonzero bit written with open_m, registered a cycle ahead: the operands are steady
    // from two cycles before the operation (see above), so these equal op_qty != 0 and
    // left != 0 in the operation's cycle
    reg               nzq_q, nzl_q;
    always @(posedge clk) begin
        nzq_q <= (op_qty != 32'd0);
        nzl_q <= (left != 32'd0);
    end

    wire [31:0] sh_cur = m_buy ? ob_q[m_sym*32 +: 32] : os_q[m_sym*32 +: 32];
    wire [31:0] sh_new = op_place   ? sh_cur + op_qty :
                         op_replace ? sh_cur - o_open + op_qty :
                                      sh_cur - op_qty;
    wire [63:0] on_cur = on_q[m_acct*64 +: 64];
    wire [63:0] on_new = op_place   ? on_cur + new_n :
                         op_replace ? on_cur - old_n + new_n :
                                      on_cur - red_n;
    wire [12:0] oc_cur = acct13(oc_q, m_acct);
    wire [12:0] oc_new = op_place ? oc_cur + 13'd1 : (op_reduce && left == 32'd0) ? oc_cur - 13'd1 : oc_cur;
    wire        any_op = op_place || op_replace || op_reduce;

    integer j;
    always @(posedge clk) begin
        rd_open  <= open_m[rd_id];
        rd_nz    <= nz_m[rd_id];
        rd_price <= price_m[rd_id];
        rd_acct  <= acct_m[rd_id];
        rd_sym   <= sym_m[rd_id];
        rd_side  <= side_m[rd_id];
        if (rst) begin
            clr_q    <= 1'b1;
            clr_id_q <= 12'd0;
            ob_q     <= {(NS*32){1'b0}};
            os_q     <= {(NS*32){1'b0}};
            on_q     <= {(NA*64){1'b0}};
            oc_q     <= {(NA*13){1'b0}};
        end else if (clr_q) begin
            open_m[clr_id_q] <= 32'd0;
            nz_m[clr_id_q]   <= 1'b0;
            clr_id_q         <= clr_id_q + 12'd1;
            if (&clr_id_q) clr_q <= 1'b0;
        end else if (any_op) begin
            if (m_buy) ob_q[m_sym*32 +: 32] <= sh_new;
            else       os_q[m_sym*32 +: 32] <= sh_new;
            on_q[m_acct*64 +: 64] <= on_new;
            for (j = 0; j < NA; j = j + 1)
                if (m_acct == j[ACCT_W-1:0]) oc_q[j*13 +: 13] <= oc_new;
            if (op_place) begin
                open_m[op_id]  <= op_qty;
                nz_m[op_id]    <= nzq_q;
                price_m[op_id] <= op_price;
                acct_m[op_id]  <= op_acct;
                sym_m[op_id]   <= op_sym;
                side_m[op_id]  <= op_side;
            end else if (op_replace) begin
                open_m[op_id]  <= op_qty;
                nz_m[op_id]    <= nzq_q;
                price_m[op_id] <= op_price;
            end else begin
                open_m[op_id]  <= left;
                nz_m[op_id]    <= nzl_q;
            end
        end
    end
endmodule
`default_nettype wire
