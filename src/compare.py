"""Pictures for a person to judge the upscaling and the training: infer.py --compare (bicubic | FSRCNN), the README's
HR | bicubic | FSRCNN crops (python -m tools.make_figures), and the validation curve of a training log.

The zoomed region is the most detailed part of the first view, where upscalers differ most visibly; it is enlarged
with nearest-neighbour so single pixels stay visible.
"""
import csv
import os

import numpy as np
from PIL import Image, ImageDraw

from src import fileio

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


def _busiest_box(view, scale, crop_lr=CROP_LR):
    """(left, top, right, bottom) of the HR region of crop_lr LR pixels whose luma varies most."""
    luma = np.asarray(view.convert("L").reduce(scale), np.float64)
    h, w = min(crop_lr, luma.shape[0]), min(crop_lr, luma.shape[1])
    candidates = [(luma[r:r + h, c:c + w].std(), r, c)
                  for r in range(0, luma.shape[0] - h + 1, max(1, h // 2))
                  for c in range(0, luma.shape[1] - w + 1, max(1, w // 2))]
    _, top, left = max(candidates)
    return scale * left, scale * top, scale * (left + w), scale * (top + h)


def side_by_side(views, scale):
    """Upscaled images of one size, [(name, image)] left to right. Top row: each whole image (shrunk to fit a
    panel) with the zoomed region outlined; bottom row: that region."""
    names, images = zip(*views)
    images = [_display(img) for img in images]
    box = _busiest_box(images[0], scale)
    width, height = images[0].size
    fit = min(1.0, PANEL / max(width, height))
    whole_size = (max(1, round(width * fit)), max(1, round(height * fit)))
    crop_w, crop_h = box[2] - box[0], box[3] - box[1]
    zoom = max(1, PANEL // max(crop_w, crop_h))
    col_w = max(whole_size[0], crop_w * zoom)
    canvas = Image.new("RGB", (len(images) * (col_w + GAP) + GAP,
                               LABEL + whole_size[1] + GAP + crop_h * zoom + GAP), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    for i, (view, name) in enumerate(zip(images, names)):
        x = GAP + i * (col_w + GAP)
        draw.text((x, 4), f"{name} x{scale}", fill=TEXT)
        whole = view.resize(whole_size, Image.LANCZOS) if fit < 1 else view
        canvas.paste(whole, (x, LABEL))
        draw.rectangle([x + round(box[0] * fit), LABEL + round(box[1] * fit),
                        x + round(box[2] * fit), LABEL + round(box[3] * fit)], outline=OUTLINE, width=2)
        canvas.paste(view.crop(box).resize((crop_w * zoom, crop_h * zoom), Image.NEAREST),
                     (x, LABEL + whole_size[1] + GAP))
    return canvas


def crop_rows(rows, scale, crop_lr=24, zoom=3):
    """One row per image, [(title, [(name, image), ...])]: the most detailed region of the first view (e.g. HR),
    and the same region of the others (bicubic, FSRCNN), enlarged `zoom` times, labelled "title: name"."""
    panels = []
    for title, views in rows:
        box = _busiest_box(_display(views[0][1]), scale, crop_lr)
        size = ((box[2] - box[0]) * zoom, (box[3] - box[1]) * zoom)
        panels.append([(f"{title}: {name}", _display(img).crop(box).resize(size, Image.NEAREST))
                       for name, img in views])
    col_w = max(p.width for row in panels for _, p in row)
    row_h = [LABEL + max(p.height for _, p in row) + GAP for row in panels]
    columns = max(len(row) for row in panels)
    canvas = Image.new("RGB", (columns * (col_w + GAP) + GAP, sum(row_h) + GAP), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    y = GAP
    for row, height in zip(panels, row_h):
        for i, (label, panel) in enumerate(row):
            x = GAP + i * (col_w + GAP)
            draw.text((x, y), label, fill=TEXT)
            canvas.paste(panel, (x, y + LABEL))
        y += height
    return canvas


def training_curve(log_csv, png, size=(640, 360), margin=48):
    """Validation PSNR per epoch of a train.py log, as a line chart (Pillow only: no plotting dependency)."""
    with open(log_csv, newline="", encoding="utf-8") as f:
        rows = [(int(r["epoch"]), float(r["val_psnr"])) for r in csv.DictReader(f)]
    epochs, psnr = zip(*rows)
    low, high = np.floor(min(psnr) * 4) / 4, np.ceil(max(psnr) * 4) / 4
    high = max(high, low + 0.25)
    width, height = size
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)

    def point(epoch, value):
        x = margin + (epoch - 1) / max(1, epochs[-1] - 1) * (width - 2 * margin)
        return x, height - margin - (value - low) / (high - low) * (height - 2 * margin)
    for value in np.arange(low, high + 1e-9, 0.25):
        y = point(1, value)[1]
        draw.line([(margin, y), (width - margin, y)], fill=(225, 225, 225))
        draw.text((4, y - 6), f"{value:.2f}", fill="black")
    for epoch in epochs:
        if epoch == 1 or epoch % 5 == 0:
            draw.text((point(epoch, low)[0] - 4, height - margin + 6), str(epoch), fill="black")
    draw.line([point(e, v) for e, v in rows], fill=(200, 40, 40), width=2)
    best = max(rows, key=lambda r: r[1])
    draw.ellipse([point(*best)[0] - 4, point(*best)[1] - 4, point(*best)[0] + 4, point(*best)[1] + 4],
                 outline=(200, 40, 40), width=2)
    draw.text((margin, 8), f"validation PSNR (dB) per epoch, {os.path.basename(log_csv)}; "
              f"best {best[1]:.2f} dB at epoch {best[0]}", fill="black")
    with fileio.atomic_path(png, suffix=".tmp.png") as tmp:
        img.save(tmp)
