"""A virtual MFA device's QR code as AWS answers it: a PNG image of its `otpauth://totp/...` URI.

IAM API reference, VirtualMFADevice: "QRCodePNG — A QR code PNG image that encodes
`otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String` ... The
Base32String value is Base64-encoded" (botocore decodes the blob). The QR matrix is the `qrcode`
package's (pure Python); the PNG is written here, a 1-bit grayscale image, so that no imaging
library is needed.
"""

from __future__ import annotations

import struct
import zlib

import qrcode

_SCALE = 4  # pixels per module: a 29x29-module code (with its quiet zone) is 164 pixels square


def qr_code_png(text: str) -> bytes:
    """A PNG image of the QR code of `text` (error correction M, a quiet zone of 4 modules)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()  # True: a dark module; the border included
    size = len(matrix) * _SCALE
    rows = bytearray()
    for modules in matrix:
        bits = "".join(("0" if dark else "1") * _SCALE for dark in modules)  # 1-bit gray: 0 is black
        bits += "0" * (-len(bits) % 8)
        row = b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big")  # filter type 0 (None)
        rows += row * _SCALE
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)),
        _chunk(b"IDAT", zlib.compress(bytes(rows), 9)),
        _chunk(b"IEND", b""),
    ))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
