// Reading Q6_K's 2-byte aligned blocks 8 bytes at a time: shared by its decode kernels.
// the 8 bytes at byte offset off + s (s = off & 7: 0, 2, 4 or 6) out of the 16 at the 8-aligned off: a and b
uvec2 span(uvec2 a, uvec2 b, uint s) {
    bool second = s >= 4u;
    uint r = (s & 3u) << 3;  // 0 or 16
    uint v0 = second ? a.y : a.x;
    uint v1 = second ? b.x : a.y;
    uint v2 = second ? b.y : b.x;
    return uvec2((v0 >> r) | ((v1 << 16) << (16u - r)), (v1 >> r) | ((v2 << 16) << (16u - r)));
}
