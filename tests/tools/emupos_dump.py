"""Decodes ESC/POS bytes with emupos (a decoder this project did not write).

usage: python emupos_dump.py INPUT.escpos OUTDIR [WIDTH_DOTS]

Every receipt (a job ends at a cut, GS V) becomes OUTDIR/receipt-N.txt (emupos's text dump) and
OUTDIR/receipt-N.png (its 1-bit rendering). Unknown commands are printed on stderr and make the
exit status 3, so a test sees them. Prints one line per receipt: N WIDTHxHEIGHT.
"""

import sys
from pathlib import Path

from emupos.config import _parse_profile
from emupos.printer.escpos.model import PrintModel
from emupos.printer.escpos.tokenizer import Command, Tokenizer
from importlib import resources


def main() -> int:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 576
    text = resources.files("emupos").joinpath("profiles", "printers", "epson-tm-t20iii.yaml").read_text("utf-8")
    profile = _parse_profile(text, "epson-tm-t20iii").model_copy(update={"width_dots": width})
    out.mkdir(parents=True, exist_ok=True)
    model = PrintModel("baom-test", profile)
    tokenizer = Tokenizer()
    unknown = 0
    n = 0
    tokens = tokenizer.feed(source.read_bytes())
    tail = tokenizer.close()
    if tail is not None:
        tokens.append(tail)
    for token in tokens:
        if isinstance(token, Command) and token.name in ("GS V",):
            receipt = model.finish("cut")
            if receipt is not None:
                n += 1
                (out / f"receipt-{n}.txt").write_text(receipt.text, "utf-8")
                (out / f"receipt-{n}.png").write_bytes(receipt.png)
                print(f"{n} {receipt.width_dots}x{receipt.height_dots}")
            continue
        if isinstance(token, Command) and token.realtime:
            continue
        for event in model.process(token):
            unknown += 1
            print(f"emupos: {event}", file=sys.stderr)
    return 3 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
