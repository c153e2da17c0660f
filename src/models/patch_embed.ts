// `patch_embed`: the image → patch-token embedding shared by the ViT and LayoutLMv3 (key `patch_embed.proj`).
import { Tensor, nn } from "../../engine/index.ts";

/** Image (B, C, S, S) → row-major patch tokens (B, P, H) with P = (S / patch)². */
export class PatchEmbed extends nn.Module {
  proj: nn.Conv2d;
  constructor(channels: number, hidden: number, patch: number) {
    super();
    this.proj = new nn.Conv2d(channels, hidden, patch);
  }
  forward(pixelValues: Tensor): Tensor {
    const y = this.proj.forward(pixelValues); // (B, H, g, g)
    const [b, h] = y.shape;
    return y.reshape(b, h, -1).transpose(1, 2); // (B, P, H), patches row-major
  }
}
