// The weight type ids of WTYPE, one per GGML type a shader decodes: GpuTensor.code() gives them to the host's
// defines, dequant.glsl and weights.glsl test them.
#define T_F32 0
#define T_F16 1
#define T_BF16 2
#define T_Q8_0 3
#define T_Q4_0 4
#define T_Q4_1 5
#define T_Q5_0 6
#define T_Q5_1 7
#define T_Q4_K 8
#define T_Q5_K 9
#define T_Q6_K 10
