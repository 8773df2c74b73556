// In-band control message validation (spec section 9). Combinational.
// A control message is valid iff its effective seq S = last_seq + 1, its op is known, its
// target is in range for the op and its value is in range.
`default_nettype none
module rg_ctrl_check (
    input  wire [7:0]  op,
    input  wire [15:0] target,
    input  wire [63:0] value,
    input  wire [63:0] eff_seq,
    input  wire [63:0] last_seq,
    input  wire [7:0]  n_symbols,
    input  wire [7:0]  n_accounts,
    output reg         valid,
    output reg         sym_target   // the target is a symbol index (record symbol byte)
);
    wire sym_ok  = (target < {8'd0, n_symbols});
    wire acct_ok = (target < {8'd0, n_accounts});
    wire v_bool  = (value <= 64'd1);
    wire v_u32   = (value[63:32] == 32'd0);
    wire v_i31   = (value[63:31] == 33'd0);
    wire v_u16   = (value[63:16] == 48'd0);
    wire seq_ok  = (eff_seq == last_seq + 64'd1);

    always @(*) begin
        sym_target = 1'b0;
        case (op)
            8'd1: valid = (target == 16'hFFFF) && v_bool;                 // GLOBAL_KILL
            8'd2: begin valid = sym_ok && v_bool;  sym_target = 1'b1; end // SYMBOL_KILL
            8'd3: begin valid = sym_ok && v_u32;   sym_target = 1'b1; end // MAX_QTY
            8'd4: begin valid = sym_ok;            sym_target = 1'b1; end // MAX_NOTIONAL
            8'd5: begin valid = sym_ok && v_i31;   sym_target = 1'b1; end // POSITION_LIMIT
            8'd6: begin valid = sym_ok && v_u16;   sym_target = 1'b1; end // COLLAR_BPS
            8'd7: valid = acct_ok;                                        // CREDIT_LIMIT
            8'd8: valid = acct_ok && v_u32;                               // MAX_ORDERS
            8'd9: begin valid = sym_ok && (value == 64'd0); sym_target = 1'b1; end // CLEAR_COLLISION
            default: valid = 1'b0;
        endcase
        valid = valid && seq_ok;
    end
endmodule
`default_nettype wire
