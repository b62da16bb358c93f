// The load of one column step of matmm.comp: an invocation's two quads of a
// weight row and of an x row. The includer declares x4 and p and includes weights.glsl first.
// step g's two quads of weight row `row` and of x row `out_` (zeros past the ends)
void loadStep(uint g, uint row, uint out_, uint loadPart, uint xRow, out vec4 w0, out vec4 w1, out vec4 x0,
        out vec4 x1) {
    w0 = vec4(0.0);
    w1 = vec4(0.0);
    if (row < p.rows) {
        prepareGroup(row * p.rowBytes, g);
        w0 = quad(loadPart);
        w1 = quad(loadPart + 1u);
    }
    x0 = vec4(0.0);
    x1 = vec4(0.0);
    if (out_ < p.numOut) {
        uint xi = out_ * xRow + g * 8u + loadPart;
        x0 = x4[xi];
        x1 = x4[xi + 1u];
    }
}
