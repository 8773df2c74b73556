// ITCH 5.0 parser (spec sections 2, 3, 9, 11 and 12). One message per cycle, one register stage.
//
// Classifies every message token from the front end: length check against the type table,
// unknown types, truncation, control messages (validated here, so the CONTROL,
// BAD_CONTROL or FOREIGN_CONTROL record is prebuilt; a FOREIGN_CONTROL travels as a
// GLOBAL_KILL engage whose CONTROL record the formatter adds), and extracts the big-endian fields the later stages
// use. It also owns last_seq and last_ts, and starts the tick arithmetic of spec section 4:
// q = (price * TICK_RECIP) >> 48 for the add price of A/F/U.
`default_nettype none
`include "rg_contract.vh"
module rg_itch_parser #(
    parameter integer MSG_BYTES = `RG_ITCH_MAX_LEN
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire [7:0]             cfg_n_symbols,
    input  wire [7:0]             cfg_n_accounts,
    input  wire [48:0]            cfg_tick_recip,
    input  wire [63:0]            cfg_fingerprint,

    input  wire                   s_valid,
    output wire                   s_ready,
    input  wire [MSG_BYTES*8-1:0] s_data,
    input  wire [15:0]            s_len,
    input  wire                   s_trunc,
    input  wire                   s_has_type,
    input  wire                   s_ctrl,
    input  wire [63:0]            s_seq,
    input  wire [63:0]            s_t_offer,
    input  wire [63:0]            s_t_last,

    output wire                   m_valid,
    input  wire                   m_ready,
    output reg  [3:0]             m_op,
    output reg  [47:0]            m_seq,
    output reg  [47:0]            m_ts,
    output reg  [63:0]            m_t_offer,
    output reg  [63:0]            m_t_last,
    output reg  [15:0]            m_locate,
    output reg  [63:0]            m_ref,      // order ref; control value for `RG_OP_CTRL
    output reg  [63:0]            m_ref2,     // U new ref
    output reg                    m_buy,
    output reg  [31:0]            m_shares,
    output reg  [31:0]            m_price,
    output reg  [7:0]             m_code,     // S event, H state, W level, C printable, control op
    output reg  [31:0]            m_q,
    output reg  [7:0]             m_rkind,    // prebuilt record: 0, CONTROL or PROBLEM
    output reg  [7:0]             m_rsym,
    output reg  [7:0]             m_raux,
    output reg  [127:0]           m_rpay,

    // statistics, one pulse per accepted message
    output reg                    st_valid,
    output reg                    st_msg,     // a sequenced message (counts in `messages`)
    output reg                    st_type_valid,
    output reg  [7:0]             st_type,
    output reg  [7:0]             st_problem, // problem code or 0
    output reg                    st_control, // a valid control message

    // symbol directory lookup of the message accepted in this cycle (rg_symbol_dir):
    // its entry is valid together with this stage's output register
    output wire                   dir_rd_en,
    output wire                   dir_wr_en,      // a well-formed R message
    output wire [15:0]            dir_locate,
    output wire [63:0]            dir_stock,

    output wire [63:0]            last_seq,
    output wire                   idle
);
`include "rg_contract_fn.vh"

    initial begin
        if (MSG_BYTES < `RG_ITCH_MAX_LEN) begin
            $error("rg_itch_parser: MSG_BYTES = %0d holds less than the longest message (%0d bytes) (instance %m)",
                   MSG_BYTES, `RG_ITCH_MAX_LEN);
            $finish;
        end
    end

    reg        valid_q;
    reg [63:0] last_seq_q;
    reg [47:0] last_ts_q;

    wire accept = s_valid && s_ready;
    assign s_ready = !valid_q || m_ready;
    assign m_valid = valid_q;

    // ---------------------------------------------------------------- field extraction
    // big-endian fields of the message (byte 0 = s_data[7:0])
    function [7:0] b8(input [MSG_BYTES*8-1:0] d, input integer i);
        b8 = d[8*i +: 8];
    endfunction
    function [15:0] be16(input [MSG_BYTES*8-1:0] d, input integer i);
        be16 = {d[8*i +: 8], d[8*(i+1) +: 8]};
    endfunction
    function [31:0] be32(input [MSG_BYTES*8-1:0] d, input integer i);
        be32 = {d[8*i +: 8], d[8*(i+1) +: 8], d[8*(i+2) +: 8], d[8*(i+3) +: 8]};
    endfunction
    function [47:0] be48(input [MSG_BYTES*8-1:0] d, input integer i);
        be48 = {be16(d, i), be32(d, i + 2)};
    endfunction
    function [63:0] be64(input [MSG_BYTES*8-1:0] d, input integer i);
        be64 = {be32(d, i), be32(d, i + 4)};
    endfunction

    function [3:0] op_of(input [7:0] t);
        case (t)
            "S": op_of = `RG_OP_SYS;     "R": op_of = `RG_OP_DIR;
            "H": op_of = `RG_OP_HALT;    "W": op_of = `RG_OP_MWCB;
            "A": op_of = `RG_OP_ADD;     "F": op_of = `RG_OP_ADD;
            "E": op_of = `RG_OP_EXEC;    "C": op_of = `RG_OP_EXECP;
            "X": op_of = `RG_OP_CANCEL;  "D": op_of = `RG_OP_DELETE;
            "U": op_of = `RG_OP_REPLACE; "P": op_of = `RG_OP_TRADE;
            "Y": op_of = `RG_OP_SSR;
            default: op_of = `RG_OP_NONE;
        endcase
    endfunction

    wire [7:0]  typ      = s_has_type ? b8(s_data, 0) : 8'd0;
    wire [15:0] exp_len  = s_has_type ? rg_itch_len(typ) : 16'd0;
    wire        known    = (exp_len != 16'd0);
    wire        is_u     = (typ == "U");

    // control message fields
    wire [7:0]  c_op     = b8(s_data, `RG_CTRL_OFF_OP);
    wire [15:0] c_target = be16(s_data, `RG_CTRL_OFF_TARGET);
    wire [63:0] c_eff    = be64(s_data, `RG_CTRL_OFF_SEQ);
    wire [63:0] c_value  = be64(s_data, `RG_CTRL_OFF_VALUE);
    wire        c_foreign = (be64(s_data, `RG_CTRL_OFF_FINGERPRINT) != cfg_fingerprint);
    wire        c_valid, c_symt;
    rg_ctrl_check u_ctrl (
        .op(c_op), .target(c_target), .value(c_value), .eff_seq(c_eff),
        .last_seq(last_seq_q), .n_symbols(cfg_n_symbols), .n_accounts(cfg_n_accounts),
        .valid(c_valid), .sym_target(c_symt)
    );

    // tick arithmetic, first half: q = floor(price * TICK_RECIP / 2^48). The price is at byte
    // 31 (U) or 32 (A, F): both are multiplied side by side straight from the input and the
    // type selects the quotient (the select before the multiplier was 3 LUT levels of the
    // parser's critical path); the select is an AND-OR so that yosys' share pass does not fold
    // the two multipliers back into one behind an input select.
    wire [31:0] add_price = is_u ? be32(s_data, 31) : be32(s_data, 32);
    wire        price_u   = (b8(s_data, 0) == "U");   // the same as is_u when the price is used
    wire [80:0] q_prod31  = {49'd0, be32(s_data, 31)} * {32'd0, cfg_tick_recip};
    wire [80:0] q_prod32  = {49'd0, be32(s_data, 32)} * {32'd0, cfg_tick_recip};
    wire [31:0] q_quot    = ({32{price_u}} & q_prod31[79:48]) | ({32{!price_u}} & q_prod32[79:48]);
    wire        unused_q_prod = ^{q_prod31[80], q_prod31[47:0], q_prod32[80], q_prod32[47:0]};

    // prebuilt record payloads (record bytes RG_RECH_SIZE..31, spec section 11)
    localparam integer PB = `RG_RECH_SIZE;
    function [127:0] control_pay(input [63:0] value, input [15:0] target);
        begin
            control_pay = 128'd0;
            control_pay[8*(`RG_RECF_CONTROL_VALUE - PB)  +: `RG_RECF_CONTROL_VALUE_W]  = value;
            control_pay[8*(`RG_RECF_CONTROL_TARGET - PB) +: `RG_RECF_CONTROL_TARGET_W] = target;
        end
    endfunction

    reg [7:0] problem;
    always @(*) begin
        if (s_ctrl)                  problem = 8'd0;
        else if (s_trunc)            problem = `RG_PROB_TRUNCATED;
        else if (!known)             problem = `RG_PROB_UNKNOWN_TYPE;
        else if (s_len != exp_len)   problem = `RG_PROB_BAD_LENGTH;
        else                         problem = 8'd0;
    end

    always @(posedge clk) begin
        if (rst) begin
            valid_q    <= 1'b0;
            last_seq_q <= 64'd0;
            last_ts_q  <= 48'd0;
            st_valid   <= 1'b0;
            m_op       <= `RG_OP_NONE;
            m_seq      <= 48'd0;
            m_ts       <= 48'd0;
            m_t_offer  <= 64'd0;
            m_t_last   <= 64'd0;
            m_locate   <= 16'd0;
            m_ref      <= 64'd0;
            m_ref2     <= 64'd0;
            m_buy      <= 1'b0;
            m_shares   <= 32'd0;
            m_price    <= 32'd0;
            m_code     <= 8'd0;
            m_q        <= 32'd0;
            m_rkind    <= `RG_REC_NONE;
            m_rsym     <= `RG_NO_SYMBOL;
            m_raux     <= 8'd0;
            m_rpay     <= 128'd0;
            st_msg     <= 1'b0;
            st_type_valid <= 1'b0;
            st_type    <= 8'd0;
            st_problem <= 8'd0;
            st_control <= 1'b0;
        end else begin
            if (m_ready) valid_q <= 1'b0;
            st_valid <= accept;
            if (accept) begin
                valid_q   <= 1'b1;
                m_t_offer <= s_t_offer;
                m_t_last  <= s_t_last;
                m_locate  <= be16(s_data, 1);
                m_ref     <= be64(s_data, 11);
                m_ref2    <= be64(s_data, 19);
                m_buy     <= (b8(s_data, 19) == `RG_ASCII_B);
                m_shares  <= (typ == "U") ? be32(s_data, 27) : (typ == "A" || typ == "F") ? be32(s_data, 20) : be32(s_data, 19);
                m_price   <= add_price;
                m_code    <= (typ == "H" || typ == "Y") ? b8(s_data, 19) : (typ == "C") ? b8(s_data, 31) : b8(s_data, 11);
                m_q       <= q_quot;
                m_rsym    <= `RG_NO_SYMBOL;
                m_rpay    <= 128'd0;
                m_rkind   <= `RG_REC_NONE;
                m_raux    <= 8'd0;
                m_seq     <= s_seq[47:0];
                m_ts      <= be48(s_data, 5);

                st_msg        <= !s_ctrl;
                st_type_valid <= !s_ctrl;            // truncated without a body: type 0
                st_type       <= typ;
                st_problem    <= 8'd0;
                st_control    <= 1'b0;

                if (s_ctrl) begin
                    m_seq   <= last_seq_q[47:0] + 48'd1;
                    if (c_foreign) begin
                        // made for another config: refused, and the global kill switch is
                        // engaged (a GLOBAL_KILL 1 update); the PROBLEM record leaves with
                        // ts 0, the formatter's CONTROL record after it with ts = last_ts
                        m_op     <= `RG_OP_CTRL;
                        m_ts     <= last_ts_q;
                        m_code   <= `RG_CTRL_GLOBAL_KILL;
                        m_locate <= `RG_CTRL_GLOBAL_TARGET;
                        m_ref    <= 64'd1;
                        m_rkind  <= `RG_REC_PROBLEM;
                        m_raux   <= `RG_PROB_FOREIGN_CONTROL;
                        m_rpay   <= rg_problem_pay(`RG_ASCII_TILDE, `RG_CTRL_LEN, `RG_CTRL_LEN, c_op, c_target);
                        st_problem <= `RG_PROB_FOREIGN_CONTROL;
                        st_control <= 1'b1;
                    end else if (c_valid) begin
                        m_op     <= `RG_OP_CTRL;
                        m_ts     <= last_ts_q;
                        m_code   <= c_op;
                        m_locate <= c_target;
                        m_ref    <= c_value;
                        m_rkind  <= `RG_REC_CONTROL;
                        m_rsym   <= c_symt ? c_target[7:0] : `RG_NO_SYMBOL;
                        m_raux   <= c_op;
                        m_rpay   <= control_pay(c_value, c_target);
                        st_control <= 1'b1;
                    end else begin
                        m_op     <= `RG_OP_PREC;
                        m_ts     <= last_ts_q;   // the event carries last_ts (record ts 0)
                        m_rkind  <= `RG_REC_PROBLEM;
                        m_raux   <= `RG_PROB_BAD_CONTROL;
                        m_rpay   <= rg_problem_pay(`RG_ASCII_TILDE, `RG_CTRL_LEN, `RG_CTRL_LEN, c_op, c_target);
                        st_problem <= `RG_PROB_BAD_CONTROL;
                    end
                end else begin
                    last_seq_q <= s_seq;
                    // last_ts: every sequenced frame of >= 11 bytes except BAD_LENGTH and
                    // TRUNCATED (an unknown type does update it)
                    if (s_len >= 16'd11 && (problem == 8'd0 || problem == `RG_PROB_UNKNOWN_TYPE))
                        last_ts_q <= be48(s_data, 5);
                    if (problem != 8'd0) begin
                        m_op       <= `RG_OP_PREC;
                        // the event carries last_ts after the message (the PROBLEM record's
                        // ts is 0, the formatter's): the risk stage's order path reads it
                        m_ts       <= (s_len >= 16'd11 && problem == `RG_PROB_UNKNOWN_TYPE) ? be48(s_data, 5) : last_ts_q;
                        m_rkind    <= `RG_REC_PROBLEM;
                        m_raux     <= problem;
                        m_rpay     <= rg_problem_pay(typ, s_len, exp_len, 8'd0, 16'd0);
                        st_problem <= problem;
                    end else begin
                        m_op      <= op_of(typ);
                    end
                end
            end
        end
    end

    assign dir_rd_en  = accept;
    assign dir_wr_en  = accept && !s_ctrl && (problem == 8'd0) && (typ == "R");
    assign dir_locate = be16(s_data, 1);
    assign dir_stock  = be64(s_data, 11);
    assign last_seq   = last_seq_q;
    assign idle     = !valid_q;
endmodule
`default_nettype wire
