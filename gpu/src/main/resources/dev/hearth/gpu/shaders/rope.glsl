// One rotary pair (rope.comp, and kvstore.comp with ROPE 1): pair i of the head whose first value is at base is
// (2i, 2i+1), or (i, i + rotaryDims/2) with neox; its angle's cos and sin for row t come from the host (cs: cos rows,
// then sin rows at sinOffset). The includer declares cs and push constants p with rotaryDims, neox and sinOffset.
void ropePair(uint t, uint base, uint i, out uint a, out uint b, out float c, out float s) {
    uint half_ = p.rotaryDims / 2u;
    a = p.neox != 0u ? base + i : base + 2u * i;
    b = p.neox != 0u ? base + half_ + i : base + 2u * i + 1u;
    c = cs[t * half_ + i];
    s = cs[p.sinOffset + t * half_ + i];
}
