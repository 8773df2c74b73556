// Population count: the number of set bits of `in`, as a balanced tree of adders (log2(WIDTH)
// levels of adders one bit wider than their inputs), not a chain of WIDTH incrementers.
`default_nettype none
module rg_popcount #(
    parameter integer WIDTH   = 16,
    parameter integer COUNT_W = $clog2(WIDTH + 1)
) (
    input  wire [WIDTH-1:0]   in,
    output wire [COUNT_W-1:0] count
);
    localparam integer LV = (WIDTH > 1) ? $clog2(WIDTH) : 1;   // tree levels
    localparam integer P  = 1 << LV;                            // leaves (WIDTH padded)
    localparam integer SW = LV + 1;                             // node sum width (P <= 2^LV)

    initial begin
        if (WIDTH < 1 || COUNT_W != $clog2(WIDTH + 1)) begin
            $error("rg_popcount: WIDTH = %0d, COUNT_W = %0d differs from its derivation (instance %m)", WIDTH, COUNT_W);
            $finish;
        end
    end

    genvar l, n;
    generate
        for (l = 0; l <= LV; l = l + 1) begin : g_lvl
            wire [(P >> l)*SW-1:0] sum;   // node n of level l: set bits of leaves [n*2^l, (n+1)*2^l)
            for (n = 0; n < (P >> l); n = n + 1) begin : g_node
                if (l == 0) begin : g_leaf
                    if (n < WIDTH) begin : g_in
                        assign sum[n*SW +: SW] = {{(SW-1){1'b0}}, in[n]};
                    end else begin : g_pad
                        assign sum[n*SW +: SW] = {SW{1'b0}};
                    end
                end else begin : g_add
                    assign sum[n*SW +: SW] = g_lvl[l-1].sum[(2*n)*SW +: SW] + g_lvl[l-1].sum[(2*n+1)*SW +: SW];
                end
            end
        end
    endgenerate

    wire [SW-1:0] total = g_lvl[LV].sum[SW-1:0];
    assign count = total[COUNT_W-1:0];
    generate
        if (SW > COUNT_W) begin : g_unused
            wire unused_total = ^total[SW-1:COUNT_W];
        end
    endgenerate
endmodule
`default_nettype wire
