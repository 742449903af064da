"""Generate the alert sounds in ``resources/sounds`` (run: ``uv run python tools/make_sounds.py``).

The tones are synthesised with the standard library instead of being downloaded
so the repository has no third-party audio with unclear licensing, and so the
files are byte-for-byte reproducible (no randomness, no timestamps in WAV).

* ``take_profit.wav`` - take profit: a bright rising two-tone (good news).
* ``entry.wav``       - entry zone, trailing entry, level crossings and change
  alerts: one soft bell-like chime ("have a look").
* ``stop_loss.wav``   - stop loss and trailing stop: a harsher, repeated
  high-low pattern that is recognisable without looking at the screen.

All are 16-bit mono PCM at 22.05 kHz, which every Windows ``PlaySound`` build
plays, and are kept below 60 KB (``--out DIR`` writes them elsewhere).
"""

from __future__ import annotations

import argparse
import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT_DIR = Path(__file__).resolve().parents[1] / "resources" / "sounds"


def _envelope(i: int, n: int, attack: int, release: int) -> float:
    """Linear attack + exponential-ish release so tones start and stop without clicks."""
    a = min(1.0, i / attack) if attack else 1.0
    remaining = n - i
    r = min(1.0, remaining / release) if release else 1.0
    return a * r * r


def _tone(
    freq: float, seconds: float, volume: float, *, harmonics: tuple[float, ...] = ()
) -> list[float]:
    """One enveloped note; ``harmonics`` are relative amplitudes of 2f, 3f, ... for timbre."""
    n = int(RATE * seconds)
    attack, release = int(RATE * 0.005), int(RATE * min(0.12, seconds / 2))
    out: list[float] = []
    for i in range(n):
        t = i / RATE
        s = math.sin(2 * math.pi * freq * t)
        for k, amp in enumerate(harmonics, start=2):
            s += amp * math.sin(2 * math.pi * freq * k * t)
        s /= 1 + sum(harmonics)
        out.append(volume * s * _envelope(i, n, attack, release))
    return out


def _silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def _mix_tail(a: list[float], b: list[float], overlap: float) -> list[float]:
    """Append ``b`` to ``a``, overlapping by ``overlap`` seconds (the chime rings on)."""
    k = min(int(RATE * overlap), len(a), len(b))
    head = a[: len(a) - k]
    mixed = [x + y for x, y in zip(a[len(a) - k :], b[:k])]
    return head + mixed + b[k:]


def take_profit() -> list[float]:
    """E6 then A6 (a rising fourth): noticeable but calm - good news."""
    first = _tone(1318.5, 0.18, 0.45, harmonics=(0.25, 0.08))
    second = _tone(1760.0, 0.38, 0.45, harmonics=(0.25, 0.08))
    return _mix_tail(first, second, 0.04)


def entry() -> list[float]:
    """One soft chime: A5 with a quiet octave and twelfth, ringing out over 0.7 s.

    Lower, quieter and single where take profit rises in two steps, so the two
    are told apart by ear.
    """
    seconds, decay = 0.7, 0.16  # decay: time constant of the exponential ring-out
    n = int(RATE * seconds)
    attack, release = int(RATE * 0.004), int(RATE * 0.05)
    partials = ((880.0, 1.0), (1760.0, 0.18), (2640.0, 0.06))
    norm = sum(amp for _, amp in partials)
    out: list[float] = []
    for i in range(n):
        t = i / RATE
        s = sum(amp * math.sin(2 * math.pi * f * t) for f, amp in partials) / norm
        out.append(0.38 * s * math.exp(-t / decay) * _envelope(i, n, attack, release))
    return out


def urgent() -> list[float]:
    """Three fast high-low pairs with a buzzy timbre - unmistakably 'act now'."""
    samples: list[float] = []
    for _ in range(3):
        samples += _tone(1568.0, 0.09, 0.6, harmonics=(0.5, 0.35, 0.2))
        samples += _silence(0.02)
        samples += _tone(1046.5, 0.09, 0.6, harmonics=(0.5, 0.35, 0.2))
        samples += _silence(0.07)
    return samples


def write_wav(path: Path, samples: list[float]) -> None:
    """Write 16-bit mono PCM, clipping defensively."""
    frames = b"".join(
        struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)


#: File name -> generator; ``app/ui/sound.py`` maps alert kinds to these names.
SOUNDS = {
    "take_profit.wav": take_profit,
    "entry.wav": entry,
    "stop_loss.wav": urgent,
}


def write_all(out_dir: Path = OUT_DIR) -> list[Path]:
    """Write every sound into ``out_dir`` and return the paths."""
    paths = []
    for name, make in SOUNDS.items():
        path = out_dir / name
        write_wav(path, make())
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    out_dir: Path = parser.parse_args(argv).out
    for path in write_all(out_dir):
        with wave.open(str(path), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        print(f"{path}: {seconds:.2f} s, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
