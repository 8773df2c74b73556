// Synchronous first-word-fall-through FIFO (distributed RAM, registered pointers).
// BYPASS = 1: when the FIFO is empty, input data passes straight to the output in the same
// cycle (and is stored only if the output does not take it).
`default_nettype none
module rg_fifo #(
    parameter integer WIDTH  = 32,
    parameter integer ADDR_W = 2,         // depth 2^ADDR_W
    parameter integer BYPASS = 0
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             s_valid,
    output wire             s_ready,
    input  wire [WIDTH-1:0] s_data,
    output wire             m_valid,
    input  wire             m_ready,
    output wire [WIDTH-1:0] m_data,
    output wire [ADDR_W:0]  count
);
    initial begin
        if (WIDTH < 1 || ADDR_W < 1 || ADDR_W > 16 || (BYPASS != 0 && BYPASS != 1)) begin
            $error("rg_fifo: WIDTH = %0d, ADDR_W = %0d, BYPASS = %0d out of range (instance %m)", WIDTH, ADDR_W, BYPASS);
            $finish;
        end
    end

    localparam integer DEPTH = 1 << ADDR_W;

    reg [WIDTH-1:0]  mem [0:DEPTH-1];
    reg [ADDR_W:0]   wr_ptr_q, rd_ptr_q;
    wire             empty   = (count == {(ADDR_W+1){1'b0}});
    wire             through = (BYPASS != 0) && empty;      // output comes from the input
    wire             push    = s_valid && s_ready && !(through && m_ready);
    wire             pop     = m_valid && m_ready && !through;

    assign count   = wr_ptr_q - rd_ptr_q;
    assign s_ready = (count != DEPTH[ADDR_W:0]);
    assign m_valid = through ? s_valid : !empty;
    assign m_data  = through ? s_data : mem[rd_ptr_q[ADDR_W-1:0]];

    always @(posedge clk) begin
        if (push) mem[wr_ptr_q[ADDR_W-1:0]] <= s_data;
    end

    always @(posedge clk) begin
        if (rst) begin
            wr_ptr_q <= {(ADDR_W+1){1'b0}};
            rd_ptr_q <= {(ADDR_W+1){1'b0}};
        end else begin
            if (push) wr_ptr_q <= wr_ptr_q + 1'b1;
            if (pop)  rd_ptr_q <= rd_ptr_q + 1'b1;
        end
    end
endmodule
`default_nettype wire
