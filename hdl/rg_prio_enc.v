// Priority encoder: index of the highest (MSB_FIRST = 1) or lowest (MSB_FIRST = 0) set bit.
`default_nettype none
module rg_prio_enc #(
    parameter integer WIDTH     = 64,
    parameter integer MSB_FIRST = 1,
    parameter integer IDX_W     = (WIDTH > 1) ? $clog2(WIDTH) : 1
) (
    input  wire [WIDTH-1:0] in,
    output reg  [IDX_W-1:0] idx,
    output wire             found
);
    integer i;
    always @(*) begin
        idx = {IDX_W{1'b0}};
        if (MSB_FIRST != 0) begin
            for (i = 0; i < WIDTH; i = i + 1) if (in[i]) idx = i[IDX_W-1:0];
        end else begin
            for (i = WIDTH - 1; i >= 0; i = i - 1) if (in[i]) idx = i[IDX_W-1:0];
        end
    end
    assign found = |in;
endmodule
`default_nettype wire
