// In-band control message validation (spec section 9). Combinational.
// A control message is valid iff its effective seq S = last_seq + 1, its op is known, its
// target is in range for the op and its value is in range. Ops, targets and value ranges
// come from the contract (rg_contract_fn.vh), so a new op needs no change here.
`default_nettype none
`include "rg_contract.vh"
module rg_ctrl_check (
    input  wire [7:0]  op,
    input  wire [15:0] target,
    input  wire [63:0] value,
    input  wire [63:0] eff_seq,
    input  wire [63:0] last_seq,
    input  wire [7:0]  n_symbols,
    input  wire [7:0]  n_accounts,
    output reg         valid,
    output wire        sym_target   // the target is a symbol index (record symbol byte)
);
`include "rg_contract_fn.vh"

    wire [1:0] kind   = rg_ctrl_target_kind(op);
    wire       seq_ok = (eff_seq == last_seq + 64'd1);

    always @(*) begin
        case (kind)
            `RG_TARGET_GLOBAL:  valid = (target == `RG_CTRL_GLOBAL_TARGET);
            `RG_TARGET_SYMBOL:  valid = (target < {8'd0, n_symbols});
            `RG_TARGET_ACCOUNT: valid = (target < {8'd0, n_accounts});
            default:   valid = 1'b0;      // unknown op
        endcase
        valid = valid && rg_ctrl_value_ok(op, value) && seq_ok;
    end
    assign sym_target = (kind == `RG_TARGET_SYMBOL);
endmodule
`default_nettype wire
