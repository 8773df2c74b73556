// Priority encoder: index of the highest (MSB_FIRST = 1) or lowest (MSB_FIRST = 0) set bit.
// A balanced tree of (found, index) pairs: log2(WIDTH) levels of 2:1 merges.
`default_nettype none
module rg_prio_enc #(
    parameter integer WIDTH     = 64,
    parameter integer MSB_FIRST = 1,
    parameter integer IDX_W     = (WIDTH > 1) ? $clog2(WIDTH) : 1
) (
    input  wire [WIDTH-1:0] in,
    output wire [IDX_W-1:0] idx,
    output wire             found
);
    localparam integer LV = (WIDTH > 1) ? $clog2(WIDTH) : 1;   // tree levels

    initial begin
        if (WIDTH < 1 || IDX_W < 1 || IDX_W > LV || (MSB_FIRST != 0 && MSB_FIRST != 1)) begin
            $error("rg_prio_enc: WIDTH = %0d, IDX_W = %0d, MSB_FIRST = %0d out of range (instance %m)", WIDTH, IDX_W, MSB_FIRST);
            $finish;
        end
    end
    localparam integer P  = 1 << LV;                            // leaves (WIDTH padded)

    genvar l, n;
    generate
        for (l = 0; l <= LV; l = l + 1) begin : g_lvl
            wire [(P >> l)-1:0]      v;     // node n of level l covers leaves [n*2^l, (n+1)*2^l)
            wire [(P >> l)*LV-1:0]   ix;    // index of the chosen leaf
            for (n = 0; n < (P >> l); n = n + 1) begin : g_node
                if (l == 0) begin : g_leaf
                    if (n < WIDTH) begin : g_in
                        assign v[n] = in[n];
                    end else begin : g_pad
                        assign v[n] = 1'b0;
                    end
                    assign ix[n*LV +: LV] = n[LV-1:0];
                end else begin : g_merge
                    // children: lo = 2n, hi = 2n+1 of the level below
                    wire lo_v = g_lvl[l-1].v[2*n];
                    wire hi_v = g_lvl[l-1].v[2*n+1];
                    wire [LV-1:0] lo_i = g_lvl[l-1].ix[(2*n)*LV +: LV];
                    wire [LV-1:0] hi_i = g_lvl[l-1].ix[(2*n+1)*LV +: LV];
                    wire pick_hi = (MSB_FIRST != 0) ? hi_v : !lo_v;
                    assign v[n] = lo_v | hi_v;
                    assign ix[n*LV +: LV] = pick_hi ? hi_i : lo_i;
                end
            end
        end
    endgenerate

    assign found = g_lvl[LV].v[0];
    assign idx   = g_lvl[LV].ix[IDX_W-1:0];
endmodule
`default_nettype wire
