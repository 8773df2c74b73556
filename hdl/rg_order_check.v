// The checks of a client order (spec section 18.3): the reasons of section 8.2 with the
// order's symbol, price, qty, side and account at ts = last_ts, POSITION counting the open
// orders on the order's side, and EXPOSURE, OPEN_ORDERS, REDUCE_ONLY, SHORT_SALE and
// ORDER_RATE. Combinational, over the state the risk stage holds, in its widths; the risk
// stage's order path (still to come, spec section 18.7) registers around it. For a replace
// the caller passes the sums with the replaced order already taken out.
// Verified against the Rust core's order_entry::check on the golden vectors of
// native/core/tests/order_check_vectors.rs (sim/tb/tb_order_check).
`default_nettype none
`include "rg_contract.vh"
module rg_order_check (
    // session
    input  wire        global_kill,
    input  wire        gate,           // GATE_MARKET_HOURS
    input  wire        market_open,
    input  wire [5:0]  w_shift,
    // the order's symbol
    input  wire        sym_kill,
    input  wire [7:0]  tstate,
    input  wire [31:0] last_trade,
    input  wire [31:0] max_qty,
    input  wire [63:0] max_notional,
    input  wire [15:0] collar_bps,
    input  wire [31:0] pos_limit,
    input  wire [31:0] position,       // i32
    input  wire [31:0] open_buy,       // ob: open buy shares of the symbol, all accounts
    input  wire [31:0] open_sell,      // os
    input  wire        sym_reduce_only,
    input  wire        ssr,
    input  wire [31:0] bid,            // the engine's best bid of the symbol (0: none)
    // the order's account
    input  wire [31:0] max_orders,
    input  wire [63:0] credit_limit,
    input  wire [63:0] used_credit,
    input  wire [47:0] thr_window,
    input  wire [31:0] thr_count,
    input  wire [63:0] dup_window,
    input  wire        lo_valid,       // the account's last accepted order
    input  wire [7:0]  lo_sym,
    input  wire        lo_buy,
    input  wire [31:0] lo_price,
    input  wire [31:0] lo_qty,
    input  wire [47:0] lo_ts,
    input  wire [63:0] open_notional,  // on
    input  wire [12:0] open_count,     // oc
    input  wire [31:0] max_open,
    input  wire        acct_reduce_only,
    input  wire [31:0] max_rate,
    input  wire [47:0] rate_window,
    input  wire [31:0] rate_count,
    input  wire        acct_kill,      // control op ACCOUNT_KILL
    // the order
    input  wire [47:0] ts,             // last_ts
    input  wire [7:0]  side,           // B, S, T, E
    input  wire [7:0]  symbol,
    input  wire [31:0] price,
    input  wire [31:0] qty,
    output reg  [15:0] reasons
);
    wire        buy   = (side == `RG_ASCII_B);
    wire [63:0] n     = {32'd0, price} * {32'd0, qty};
    wire [47:0] win   = ts >> w_shift;

    // COLLAR: |price - ref| x 10000 > ref x collar_bps
    wire [32:0] p_m_r = {1'b0, price} - {1'b0, last_trade};
    wire [31:0] pdiff = p_m_r[32] ? (last_trade - price) : p_m_r[31:0];
    wire [45:0] c_lhs = {14'd0, pdiff} * 46'd10000;
    wire [47:0] c_rhs = {16'd0, last_trade} * {32'd0, collar_bps};

    // POSITION and REDUCE_ONLY: the position the open orders on the order's side would
    // leave (worst), then the order on top (after); 40-bit signed holds them exactly
    wire signed [39:0] p40   = {{8{position[31]}}, position};
    wire signed [39:0] worst = buy ? p40 + $signed({8'd0, open_buy}) : p40 - $signed({8'd0, open_sell});
    wire signed [39:0] after = buy ? worst + $signed({8'd0, qty}) : worst - $signed({8'd0, qty});
    wire        [39:0] mag   = after[39] ? -after : after;

    // CREDIT and EXPOSURE: saturating sums compared with the limit (a sum past 2^64 - 1
    // saturates, which only a limit of 2^64 - 1 is not below)
    wire [65:0] cr_sum = {2'b00, used_credit} + {2'b00, n};
    wire [65:0] ex_sum = cr_sum + {2'b00, open_notional};
    wire        cr_sat = |cr_sum[65:64];
    wire        ex_sat = |ex_sum[65:64];
    wire        credit_x   = cr_sat ? !(&credit_limit) : (cr_sum[63:0] > credit_limit);
    wire        exposure_x = ex_sat ? !(&credit_limit) : (ex_sum[63:0] > credit_limit);

    // DUPLICATE: the last accepted order again, within the window (ts going back counts as within)
    wire [47:0] lo_age  = ts - lo_ts;
    wire        lo_same = lo_valid && (lo_sym == symbol) && (lo_buy == buy) && (lo_price == price) && (lo_qty == qty);
    wire        lo_in   = (ts < lo_ts) || ({16'd0, lo_age} < dup_window);

    wire [31:0] in_window = (thr_window == win) ? thr_count : 32'd0;
    wire [31:0] in_rate   = (rate_window == win) ? rate_count : 32'd0;

    always @(*) begin
        reasons = 16'd0;
        reasons[`RG_RSN_KILL]          = global_kill || sym_kill || acct_kill;
        reasons[`RG_RSN_HALTED]        = (tstate != `RG_ASCII_T);
        reasons[`RG_RSN_MARKET_CLOSED] = gate && !market_open;
        reasons[`RG_RSN_MAX_QTY]       = (qty > max_qty);
        reasons[`RG_RSN_MAX_NOTIONAL]  = (n > max_notional);
        reasons[`RG_RSN_NO_REF]        = (last_trade == 32'd0);
        reasons[`RG_RSN_COLLAR]        = (last_trade != 32'd0) && ({2'b00, c_lhs} > c_rhs);
        reasons[`RG_RSN_POSITION]      = (mag > {8'd0, pos_limit});
        reasons[`RG_RSN_CREDIT]        = credit_x;
        reasons[`RG_RSN_THROTTLE]      = (in_window >= max_orders);
        reasons[`RG_RSN_DUPLICATE]     = (dup_window != 64'd0) && lo_same && lo_in;
        reasons[`RG_RSN_EXPOSURE]      = exposure_x;
        reasons[`RG_RSN_OPEN_ORDERS]   = ({19'd0, open_count} >= max_open);
        reasons[`RG_RSN_REDUCE_ONLY]   = (acct_reduce_only || sym_reduce_only) && (buy ? (after > 0) : after[39]);
        reasons[`RG_RSN_SHORT_SALE]    = (side == `RG_ASCII_T) && ssr && ((bid == 32'd0) || (price <= bid));
        reasons[`RG_RSN_ORDER_RATE]    = (in_rate >= max_rate);
    end
endmodule
`default_nettype wire
