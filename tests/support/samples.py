"""Course text and files shared by tests."""
import struct
import zlib


def tiny_png() -> bytes:
    """A valid 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


# A scenario whose choice on line 26 leads to a node that does not exist (end-ok).
SCENARIO_WITH_DANGLING_LINK = """---
id: roadside
kind: scenario
title: "Scenario: a roadside check"
overview: A van with six workers. Moderate. The case is a fictional composite.
intensity: moderate
objectives:
  - Speak to each worker away from the driver.
---

## The stop {#start}

Six workers in a van; the driver holds all their papers.

- Speak to each worker away from the driver. -> alone {#separate}
  > The driver objects, but waits by the van.
- Let the driver answer for everyone. -> end-harmful {#driver}
  > The workers say nothing.

## Away from the driver {#alone}

One worker says she owes money for the job.

- Give her the hotline number and explain her options. -> end-best {#card}
  > She keeps the number.
- Tell her to sort it out herself. -> end-ok {#leave}
  > She looks away.

## She knows where help is {#end-best ending=best}

Debrief: you made it safe to talk.

## An acceptable outcome {#end-acceptable ending=acceptable}

Debrief: she is no worse off, but no better.

## A missed chance {#end-harmful ending=harmful}

Debrief: the driver spoke for everyone.
"""
SCENARIO_FIXED = SCENARIO_WITH_DANGLING_LINK.replace("-> end-ok {#leave}", "-> end-acceptable {#leave}")
