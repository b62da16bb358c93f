// dot4(a, b): the dot product of a and b as four signed bytes each, one instruction where the device accelerates it
// (SPIR-V's OpSDot over 32-bit words, packed format 0). Declared through GL_EXT_spirv_intrinsics, which the includer
// enables: the shaderc we ship predates GL_EXT_integer_dot_product. The device must be made with
// VK_KHR_shader_integer_dot_product on (IntegerDotProduct).
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdotPacked(int a, int b, spirv_literal int packedFormat);

int dot4(uint a, uint b) { return sdotPacked(int(a), int(b), 0); }
