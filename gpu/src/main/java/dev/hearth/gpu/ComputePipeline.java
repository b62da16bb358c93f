package dev.hearth.gpu;

import static org.lwjgl.system.MemoryStack.stackPush;
import static org.lwjgl.vulkan.VK10.*;

import java.nio.ByteBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import org.lwjgl.vulkan.KHRPushDescriptor;
import org.lwjgl.vulkan.VkComputePipelineCreateInfo;
import org.lwjgl.vulkan.VkDescriptorBufferInfo;
import org.lwjgl.vulkan.VkDescriptorSetLayoutBinding;
import org.lwjgl.vulkan.VkDescriptorSetLayoutCreateInfo;
import org.lwjgl.vulkan.VkPipelineLayoutCreateInfo;
import org.lwjgl.vulkan.VkPushConstantRange;
import org.lwjgl.vulkan.VkShaderModuleCreateInfo;
import org.lwjgl.vulkan.VkWriteDescriptorSet;

/**
 * One compute shader variant: its pipeline, with {@code bindings} storage buffers given per dispatch as push
 * descriptors (no descriptor pools) and up to {@link #PUSH_INTS} ints of push constants.
 */
final class ComputePipeline implements AutoCloseable {
    static final int PUSH_INTS = 16;
    private final VulkanContext ctx;
    private final int bindings;
    private final long setLayout;
    private final long layout;
    private final long pipeline;
    /** What the GPU profile calls this kernel: the shader and its defines. */
    private final String label;

    ComputePipeline(VulkanContext ctx, String shader, String defines, int bindings) {
        this.ctx = ctx;
        this.label = shader.replace(".comp", "") + (defines.isBlank() ? "" : " [" + defines.strip() + "]");
        this.bindings = bindings;
        byte[] spirv = ShaderCompiler.spirv(shader, defines);
        try (MemoryStack stack = stackPush()) {
            var lp = stack.mallocLong(1);
            VkDescriptorSetLayoutBinding.Buffer b = VkDescriptorSetLayoutBinding.calloc(bindings, stack);
            for (int i = 0; i < bindings; i++) {
                b.get(i).binding(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER).descriptorCount(1)
                        .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT);
            }
            Vk.check(vkCreateDescriptorSetLayout(ctx.device, VkDescriptorSetLayoutCreateInfo.calloc(stack)
                    .sType$Default().flags(KHRPushDescriptor.VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR)
                    .pBindings(b), null, lp), "vkCreateDescriptorSetLayout");
            setLayout = lp.get(0);
            VkPushConstantRange.Buffer range = VkPushConstantRange.calloc(1, stack)
                    .stageFlags(VK_SHADER_STAGE_COMPUTE_BIT).offset(0).size(PUSH_INTS * 4);
            Vk.check(vkCreatePipelineLayout(ctx.device, VkPipelineLayoutCreateInfo.calloc(stack).sType$Default()
                    .pSetLayouts(stack.longs(setLayout)).pPushConstantRanges(range), null, lp),
                    "vkCreatePipelineLayout");
            layout = lp.get(0);
            ByteBuffer code = MemoryUtil.memAlloc(spirv.length);
            long module;
            try {
                code.put(spirv).flip();
                Vk.check(vkCreateShaderModule(ctx.device, VkShaderModuleCreateInfo.calloc(stack).sType$Default()
                        .pCode(code), null, lp), "vkCreateShaderModule (" + shader + ")");
                module = lp.get(0);
            } finally {
                MemoryUtil.memFree(code);
            }
            VkComputePipelineCreateInfo.Buffer info = VkComputePipelineCreateInfo.calloc(1, stack).sType$Default()
                    .layout(layout);
            info.stage().sType$Default().stage(VK_SHADER_STAGE_COMPUTE_BIT).module(module).pName(stack.UTF8("main"));
            int r = vkCreateComputePipelines(ctx.device, VK_NULL_HANDLE, info, null, lp);
            vkDestroyShaderModule(ctx.device, module, null);
            Vk.check(r, "vkCreateComputePipelines (" + shader + " " + defines + ")");
            pipeline = lp.get(0);
        }
        ctx.track(this);
    }

    /**
     * Records one dispatch of {@code groupsX x groupsY x groupsZ} workgroups over these buffers, behind a barrier
     * when commands were recorded since the last one ({@link VulkanContext#beforeCommand()}).
     */
    void dispatch(GpuBuffer[] buffers, int[] push, int groupsX, int groupsY, int groupsZ) {
        if (buffers.length != bindings) {
            throw new IllegalArgumentException("pipeline takes " + bindings + " buffers, got " + buffers.length);
        }
        if (push.length > PUSH_INTS) {
            throw new IllegalArgumentException("at most " + PUSH_INTS + " push constants, got " + push.length);
        }
        var cmd = ctx.recording();
        ctx.beforeCommand();
        try (MemoryStack stack = stackPush()) {
            vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline);
            VkWriteDescriptorSet.Buffer writes = VkWriteDescriptorSet.calloc(bindings, stack);
            VkDescriptorBufferInfo.Buffer infos = VkDescriptorBufferInfo.calloc(bindings, stack);
            for (int i = 0; i < bindings; i++) {
                VkDescriptorBufferInfo info = infos.get(i).buffer(buffers[i].handle).offset(buffers[i].offset)
                        .range(VK_WHOLE_SIZE);
                writes.get(i).sType$Default().dstBinding(i).descriptorType(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)
                        .descriptorCount(1).pBufferInfo(VkDescriptorBufferInfo.create(info.address(), 1));
            }
            KHRPushDescriptor.vkCmdPushDescriptorSetKHR(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, writes);
            vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, stack.ints(push));
            vkCmdDispatch(cmd, groupsX, groupsY, groupsZ);
            ctx.timestamp(label);
        }
    }

    @Override
    public void close() {
        vkDestroyPipeline(ctx.device, pipeline, null);
        vkDestroyPipelineLayout(ctx.device, layout, null);
        vkDestroyDescriptorSetLayout(ctx.device, setLayout, null);
    }
}
