"""Draws docs/figures/geometry-isotropic.svg and geometry-anisotropic.svg: the seed's two
pictures of the measurement space, from two instrument files written by calib.

    calib fit Fixtures/geometry-isotropic.csv --x x --y y1,y2 -o iso.json
    calib fit Fixtures/geometry-anisotropic.csv --x x --y y1,y2 --noise proportional -o aniso.json
    python3 docs/figures/geometry_pictures.py iso.json aniso.json Fixtures/geometry-readings.csv

Each picture shows the reading space (y1, y2): the standards' reading vectors, the calibrated
response curve f(x), the noise's 2-sd ellipse Σ(x) at x = 1, 3, 5, 7, 9 (the metric: a step
across an ellipse is the same statistical distance everywhere) and the four reading vectors
of geometry-readings.csv. Plain SVG, no plotting library.
"""
import json, math, sys

def ellipse(center, cov, k=2.0):
    a, b, c = cov[0][0], cov[0][1], cov[1][1]
    t = 0.5 * math.atan2(2 * b, a - c)
    l1 = (a + c) / 2 + math.sqrt(((a - c) / 2) ** 2 + b * b)
    l2 = (a + c) / 2 - math.sqrt(((a - c) / 2) ** 2 + b * b)
    return [(center[0] + k * (math.sqrt(l1) * math.cos(s) * math.cos(t)
                               - math.sqrt(max(l2, 0)) * math.sin(s) * math.sin(t)),
             center[1] + k * (math.sqrt(l1) * math.cos(s) * math.sin(t)
                               + math.sqrt(max(l2, 0)) * math.sin(s) * math.cos(t)))
            for s in [i * 2 * math.pi / 72 for i in range(73)]]

def picture(path, readings, title, out):
    state = json.load(open(path))
    outputs = state['outputs']
    coef = [o['posterior']['location'] for o in outputs]
    f = lambda x: [c[0] + c[1] * x for c in coef]
    scale = state['noise']['scale']
    s = [(o['noise']['parameters'] or [{'estimate': 1}])[0]['estimate'] if scale != 'constant'
         else 1.0 for o in outputs]
    sig = state['noise']['covariance']
    def cov(x):
        mu = f(x)
        d = [s[j] * abs(mu[j]) if scale == 'proportional' else 1.0 for j in range(2)]
        return [[sig[i][j] * d[i] * d[j] for j in range(2)] for i in range(2)]
    W, H, M = 560, 420, 60
    lo, hi = (0, 0), (11, 7.5)
    X = lambda v: M + (v - lo[0]) / (hi[0] - lo[0]) * (W - 2 * M)
    Y = lambda v: H - M - (v - lo[1]) / (hi[1] - lo[1]) * (H - 2 * M)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
             f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="13">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{W/2}" y="24" text-anchor="middle" font-size="15">{title}</text>',
             f'<line x1="{M}" y1="{H-M}" x2="{W-M}" y2="{H-M}" stroke="black"/>',
             f'<line x1="{M}" y1="{H-M}" x2="{M}" y2="{M}" stroke="black"/>',
             f'<text x="{W/2}" y="{H-18}" text-anchor="middle">reading y1</text>',
             f'<text x="18" y="{H/2}" text-anchor="middle" transform="rotate(-90 18 {H/2})">'
             'reading y2</text>']
    for v in range(0, 11, 2):
        parts.append(f'<text x="{X(v)}" y="{H-M+16}" text-anchor="middle">{v}</text>')
    for v in range(0, 8, 2):
        parts.append(f'<text x="{M-8}" y="{Y(v)+4}" text-anchor="end">{v}</text>')
    for x in (1, 3, 5, 7, 9):
        pts = ' '.join(f'{X(p[0]):.1f},{Y(p[1]):.1f}' for p in ellipse(f(x), cov(x)))
        parts.append(f'<polygon points="{pts}" fill="#9ecae1" fill-opacity="0.45" '
                     'stroke="#3182bd"/>')
    curve = ' '.join(f'{X(f(x)[0]):.1f},{Y(f(x)[1]):.1f}' for x in [i / 10 for i in range(0, 106)])
    parts.append(f'<polyline points="{curve}" fill="none" stroke="#08519c" stroke-width="2"/>')
    ys = [o['domain']['y'] for o in outputs]
    for a, b in zip(*ys):
        parts.append(f'<circle cx="{X(a):.1f}" cy="{Y(b):.1f}" r="2.5" fill="#444"/>')
    for label, a, b, status in readings:
        colour = '#d62728' if status == 'inconsistent' else '#2ca02c'
        parts.append(f'<path d="M{X(a)-6:.1f},{Y(b):.1f} h12 M{X(a):.1f},{Y(b)-6:.1f} v12" '
                     f'stroke="{colour}" stroke-width="2.5"/>')
        parts.append(f'<text x="{X(a)+8:.1f}" y="{Y(b)-6:.1f}" fill="{colour}">{label}</text>')
    parts.append('</svg>')
    open(out, 'w').write('\n'.join(parts) + '\n')

if __name__ == '__main__':
    iso, aniso, readings_path = sys.argv[1:4]
    rows = [line.split(',') for line in open(readings_path).read().split('\n')[1:] if line]
    statuses = {'isotropic': {}, 'anisotropic': {}}
    for kind, status_file in (('isotropic', sys.argv[4] if len(sys.argv) > 4 else None),
                              ('anisotropic', sys.argv[5] if len(sys.argv) > 5 else None)):
        if status_file:
            for line in open(status_file):
                o = json.loads(line)
                statuses[kind][o['id']] = o['coverage']['status']
    for kind, path, title in (('isotropic', iso, 'Homogeneous, isotropic noise'),
                              ('anisotropic', aniso, 'Inhomogeneous, anisotropic noise')):
        picture(path, [(r[0], float(r[1]), float(r[2]), statuses[kind].get(r[0], 'covered'))
                       for r in rows], title, f'docs/figures/geometry-{kind}.svg')
