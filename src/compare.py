"""infer.py --compare: one picture for a person to judge the upscaling, bicubic | FSRCNN.

Top row: both whole images (shrunk to fit a panel), with the zoomed region outlined. Bottom row: that region,
enlarged with nearest-neighbour so single pixels stay visible. The region is the most detailed part of the image,
where the two differ most visibly.
"""
import numpy as np
from PIL import Image, ImageDraw

PANEL = 640  # largest side of each whole-image view, and of each zoomed region
CROP_LR = 40  # side of the zoomed region in LR pixels
GAP = 8
LABEL = 22
BACKGROUND, TEXT, OUTLINE = (32, 32, 32), (235, 235, 235), (255, 40, 40)


def _display(img):
    """8-bit RGB for the screen: 16-bit grayscale keeps its top 8 bits, alpha is dropped."""
    if img.mode.startswith("I;16"):
        return Image.fromarray((np.asarray(img) >> 8).astype(np.uint8)).convert("RGB")
    return img.convert("RGB")


def _busiest_box(view, scale):
    """(left, top, right, bottom) of the HR region of CROP_LR LR pixels whose luma varies most."""
    luma = np.asarray(view.convert("L").reduce(scale), np.float64)
    h, w = min(CROP_LR, luma.shape[0]), min(CROP_LR, luma.shape[1])
    candidates = [(luma[r:r + h, c:c + w].std(), r, c)
                  for r in range(0, luma.shape[0] - h + 1, max(1, h // 2))
                  for c in range(0, luma.shape[1] - w + 1, max(1, w // 2))]
    _, top, left = max(candidates)
    return scale * left, scale * top, scale * (left + w), scale * (top + h)


def side_by_side(bicubic, sr, scale, names=("bicubic", "FSRCNN")):
    """The comparison image of two upscaled images of one size."""
    views = [_display(img) for img in (bicubic, sr)]
    box = _busiest_box(views[0], scale)
    fit = min(1.0, PANEL / max(sr.size))
    whole_size = (max(1, round(sr.width * fit)), max(1, round(sr.height * fit)))
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    zoom = max(1, PANEL // max(crop_w, crop_h))
    col_w = max(whole_size[0], crop_w * zoom)
    canvas = Image.new("RGB", (2 * col_w + 3 * GAP, LABEL + whole_size[1] + GAP + crop_h * zoom + GAP), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for i, (view, name) in enumerate(zip(views, names)):
        x = GAP + i * (col_w + GAP)
        draw.text((x, 4), f"{name} x{scale}", fill=TEXT)
        whole = view.resize(whole_size, Image.LANCZOS) if fit < 1 else view
        canvas.paste(whole, (x, LABEL))
        draw.rectangle([x + round(box[0] * fit), LABEL + round(box[1] * fit),
                        x + round(box[2] * fit), LABEL + round(box[3] * fit)], outline=OUTLINE, width=2)
        canvas.paste(view.crop(box).resize((crop_w * zoom, crop_h * zoom), Image.NEAREST),
                     (x, LABEL + whole_size[1] + GAP))
    return canvas
