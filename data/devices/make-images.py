#!/usr/bin/env python3
"""Generate the simulator's device images (el30v2.json, el100v2.json,
elite200v2.json) in this directory.

A development tool: the build does not run it, the generated files are
committed. Edit the values here and run `python3 make-images.py`.

Encoding follows real devices (shared/protocol/EVIDENCE.md): registers are
big-endian; 32- and 64-bit values are low word first (CDAB); the model text
at block 100 byte 20 has the two bytes of every register swapped; the
serial at block 100 byte 32 is a u64. Layouts come from the protocol
reference's block tables, overridden where real units say otherwise
(block 100 per EVIDENCE.md, 1300/1500/6000/6300 per Bluetooth probes, 2000
per the registers Bluetooth libraries write).
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


class Block:
    """A block's bytes with typed writers (offsets are byte offsets)."""

    def __init__(self, size):
        assert size % 2 == 0, size
        self.b = bytearray(size)

    def u8(self, off, v):
        assert 0 <= v <= 0xFF, (off, v)
        self.b[off] = v

    def u16(self, off, v):
        assert 0 <= v <= 0xFFFF, (off, v)
        self.b[off:off + 2] = v.to_bytes(2, "big")

    def i16(self, off, v):
        self.u16(off, v & 0xFFFF)

    def words(self, off, v, n):
        """n registers, least significant first, each big-endian."""
        assert 0 <= v < 1 << (16 * n), (off, v)
        for i in range(n):
            self.u16(off + 2 * i, (v >> (16 * i)) & 0xFFFF)

    def u32(self, off, v):
        self.words(off, v, 2)

    def i32(self, off, v):
        self.words(off, v & 0xFFFFFFFF, 2)

    def u64(self, off, v):
        self.words(off, v, 4)

    def text(self, off, size, s):
        """ASCII, NUL padded."""
        raw = s.encode("ascii")
        assert len(raw) <= size, (off, s)
        self.b[off:off + size] = raw + bytes(size - len(raw))

    def stext(self, off, size, s):
        """ASCII, NUL padded, the two bytes of every register swapped."""
        assert off % 2 == 0 and size % 2 == 0
        raw = s.encode("ascii")
        assert len(raw) <= size, (off, s)
        raw = raw + bytes(size - len(raw))
        for i in range(0, size, 2):
            self.b[off + i] = raw[i + 1]
            self.b[off + i + 1] = raw[i]


def d10(x):
    """A value in tenths (x0.1 scale)."""
    return int(round(x * 10))


def temp(c):
    """Temperature with the reference's minus:40 transform."""
    return int(round(c)) + 40


# ---- the three units ---------------------------------------------------------
#
# Elite 30 V2: small 8-cell 25.6 V pack, US unit, discharging into an AC load.
# Elite 100 V2: 16-cell 51.2 V pack, charging from solar, small AC load.
# Elite 200 V2: charging from the grid. Its pack follows the Bluetooth probe
# of a real unit (block 6300: 12 cells, 20 registers; 6000 byte 20 = 42.6 V
# charge limit) rather than the reference's 51.2 V description.

UNITS = {
    "el30v2": dict(
        model="EL30V2", aliases=["Elite 30 V2"], serial="2337000104512",
        protocol=2001, description="Elite 30 V2 (336 Wh, 600 W): on battery, 138 W load, "
        "grid plugged in (US, 60 Hz) but not charging",
        capacity_wh=336, cells=8, ntc=2, cell_mv=3262, soc=62, soh=100, cycles=37,
        pack_v=26.1, temp_c=27, inv_w=600,
        ac_out=120, dc_out=18, pv_in=0, grid_in=0,
        grid_hz=60.0, grid_v=120.1, grid_phase_w=0, grid_a=0.0,
        out_hz=60.0, out_v=120.0,
        max_chg_v=29.2, max_chg_a=20.0, max_dsg_a=30.0,
        totals=dict(dc=12.4, ac=48.9, pv=6.2, grid=61.7, feedback=0.0, dsg=58.3, inv=61.3),
        iot_model="WIFI-EL30", iot_sn="E3010045", wifi="CampNet", inv_type="EL30V2-INV",
        pack_type="EL30V2-BAT", pack_sn="P3010045",
        accessories=False, charging_mode=0, ac_on=True, dc_on=True,
    ),
    "el100v2": dict(
        model="EL100V2", aliases=["Elite 100 V2"], serial="2345000223861",
        protocol=2001, description="Elite 100 V2 (1056 Wh, 1000 W): charging from solar "
        "(300 W) while running a 97 W load",
        capacity_wh=1056, cells=16, ntc=4, cell_mv=3325, soc=85, soh=98, cycles=112,
        pack_v=53.2, temp_c=25, inv_w=1000,
        ac_out=85, dc_out=12, pv_in=300, grid_in=0,
        grid_hz=50.0, grid_v=229.8, grid_phase_w=0, grid_a=0.0,
        out_hz=50.0, out_v=230.1,
        max_chg_v=58.4, max_chg_a=20.0, max_dsg_a=30.0,
        totals=dict(dc=36.8, ac=151.2, pv=678.9, grid=402.5, feedback=0.0, dsg=1111.1, inv=160.4),
        iot_model="WIFI-EL100", iot_sn="E1010218", wifi="HomeNet-2G", inv_type="EL100V2-INV",
        pack_type="EL100V2-BAT", pack_sn="P1010218",
        accessories=True, charging_mode=0, ac_on=True, dc_on=True,
    ),
    "elite200v2": dict(
        model="ELITE200V2", aliases=["Elite 200 V2"], serial="2401000378144",
        protocol=2001, description="Elite 200 V2 (2073.6 Wh, 2400 W): charging from the "
        "grid (812 W) while running a 206 W load",
        capacity_wh=2074, cells=12, ntc=4, cell_mv=3341, soc=47, soh=99, cycles=64,
        pack_v=40.1, temp_c=29, inv_w=2400,
        ac_out=206, dc_out=0, pv_in=0, grid_in=812,
        grid_hz=50.0, grid_v=230.4, grid_phase_w=812, grid_a=3.5,
        out_hz=49.9, out_v=229.6,
        max_chg_v=42.6, max_chg_a=40.0, max_dsg_a=60.0,
        totals=dict(dc=2.1, ac=40.4, pv=2.1, grid=520.7, feedback=40.4, dsg=318.6, inv=44.0),
        iot_model="WIFI-EL200", iot_sn="E2010377", wifi="Garage", inv_type="EL200V2-INV",
        pack_type="EL200V2-BAT", pack_sn="P2010377",
        accessories=True, charging_mode=2, ac_on=True, dc_on=False,
    ),
}


def derived(u):
    """Battery current and times from the power flows."""
    net_in = u["pv_in"] + u["grid_in"] - u["ac_out"] - u["dc_out"]
    u["charging"] = net_in > 0
    # pack current: negative while charging (reference convention)
    u["pack_a"] = -round(net_in / u["pack_v"], 1) if net_in else 0.0
    u["pack_w"] = abs(net_in)
    stored = u["capacity_wh"] * u["soc"] / 100
    if net_in > 0:
        u["to_full"] = int((u["capacity_wh"] - stored) / net_in * 60)
        u["to_empty"] = 0
    elif net_in < 0:
        u["to_full"] = 0
        u["to_empty"] = int(stored / -net_in * 60)
    else:
        u["to_full"] = u["to_empty"] = 0
    u["chg_status"] = 1 if net_in > 0 else (2 if net_in < 0 else 0)
    u["ctrl"] = 1 | (2 if u["ac_on"] else 0) | (4 if u["dc_on"] else 0) | 8 | 32
    return u


# ---- blocks ------------------------------------------------------------------

def base_config(u):
    """Block 1 (not in the catalog): the protocol version at byte 30."""
    b = Block(32)
    b.u8(0, 1)                      # specs
    b.u8(1, 1)                      # voltage type
    b.u16(28, 1001)                 # Modbus version
    b.u16(30, u["protocol"])        # protocol version (read by version detection)
    return b


def home_data(u):
    """Block 100, laid out as EVIDENCE.md says real units do."""
    b = Block(160)
    b.u16(0, d10(u["pack_v"]))
    b.i16(2, d10(u["pack_a"]))
    b.u16(4, u["soc"])
    b.u16(6, u["chg_status"])      # charging status
    b.u16(8, u["to_full"])         # minutes to full
    b.u16(10, u["to_empty"])       # minutes to empty
    b.u16(12, 0)                   # ageing flags
    b.u8(15, 1)                    # packs
    b.u16(16, 1)                   # packs online (bits)
    b.stext(20, 12, u["model"])
    b.u64(32, int(u["serial"]))
    b.u8(41, 1)                    # inverters
    b.u16(42, 1)                   # inverters online
    b.u16(48, u["ctrl"])           # control status: bit 1 AC on, bit 2 DC on
    b.u16(50, d10(u["totals"]["feedback"]))  # the counter a probed unit shows here
    b.u16(52, temp(u["temp_c"] - 2))  # the reference's lowest pack temperature
    b.u32(80, u["dc_out"])         # DC output power
    b.u32(84, u["ac_out"])         # AC output power
    b.u32(88, u["pv_in"])          # DC (solar) input power
    b.u32(92, u["grid_in"])        # AC (grid) input power
    b.u32(96, u["ac_out"])         # inverter power
    t = u["totals"]
    b.u32(100, d10(t["dc"]))
    b.u32(104, d10(t["ac"]))
    b.u32(108, d10(t["pv"]))
    b.u32(112, d10(t["grid"]))
    b.u32(116, d10(t["feedback"]))
    b.u16(120, u["charging_mode"])
    b.u8(123, 1 if u["ac_on"] else 0)   # inverter working status
    b.u32(124, d10(t["feedback"]))
    b.u16(128, d10(t["feedback"]))
    b.u32(134, d10(t["dsg"]))
    b.u16(138, int(u["out_v"] + 0.5))   # rated voltage
    b.u16(140, int(u["out_hz"] + 0.5))  # rated frequency
    return b


def ota_status(u):
    b = Block(98)                  # 2 + 16 slots of 6 bytes
    b.u8(0, 1)
    b.u8(2, 0)                     # slot 0 idle
    b.u8(4, 1)
    b.u8(6, 100)                   # last update completed
    return b


def inv_base_info(u):
    b = Block(110)
    b.u8(1, 1)
    b.stext(2, 12, u["inv_type"])
    b.text(14, 8, "I" + u["pack_sn"][1:])
    b.u8(23, 2 if u["inv_w"] >= 1000 else 1)
    b.u8(25, 6)
    for k, (mod, ver) in enumerate([(1, 1020), (2, 1013), (3, 2005), (4, 1007), (5, 3001), (6, 1002)]):
        b.u16(26 + 6 * k, mod)
        b.u32(28 + 6 * k, ver)
    b.u16(102, temp(u["temp_c"] - 2))
    b.u16(104, temp(u["temp_c"] + 9))
    b.u16(106, temp(u["temp_c"] + 4))
    b.u16(108, 0)
    return b


def inv_grid_info(u):
    """Block 1300 as a Bluetooth decoder reads it on a real unit: u32 power
    at 2, phase count at 25, 12-byte phases from 26."""
    b = Block(62)
    b.u16(0, d10(u["grid_hz"]))
    b.u32(2, u["grid_in"])
    b.u32(6, d10(u["totals"]["grid"]))
    b.u32(10, d10(u["totals"]["feedback"]))
    b.u8(25, 1)
    b.i16(26, u["grid_phase_w"])
    b.u16(28, d10(u["grid_v"]))
    b.i16(30, d10(u["grid_a"]))
    b.u16(32, int(u["grid_v"] * u["grid_a"] + 0.5))  # apparent power
    return b


def inv_load_info(u):
    b = Block(96)                  # a Bluetooth decoder reads 48 registers
    b.u32(0, u["dc_out"])
    b.u32(4, d10(u["totals"]["dc"]))
    usb = min(u["dc_out"], 10)
    b.u16(8, usb)
    b.u16(10, d10(usb / 5.0))
    b.u16(12, u["dc_out"] - usb)
    b.u16(14, d10((u["dc_out"] - usb) / 12.0))
    b.u16(24, d10(12.1) if u["dc_out"] else 0)
    b.u16(26, d10(u["dc_out"] / 12.1) if u["dc_out"] else 0)
    b.u32(40, u["ac_out"])
    b.u32(44, d10(u["totals"]["ac"]))
    b.u8(59, 1)
    b.u16(60, u["ac_out"])
    b.u16(62, d10(u["out_v"]))
    b.u16(64, d10(u["ac_out"] / u["out_v"]))
    b.u16(66, int(u["ac_out"] * 1.05))
    return b


def inv_inv_info(u):
    """Block 1500: frequency at 0 and phase 0 at 20/22/24 as probed."""
    b = Block(54)
    b.u16(0, d10(u["out_hz"]))
    b.u32(2, d10(u["totals"]["inv"]))
    b.u8(17, 1)
    b.u8(19, 1 if u["ac_on"] else 0)
    b.u16(20, int(u["ac_out"] * 1.05 + 0.5))
    b.u16(22, d10(u["out_v"]))
    b.u16(24, d10(u["ac_out"] / u["out_v"]))
    return b


def meter_info(u):
    import struct

    def f32(x):
        return struct.unpack(">I", struct.pack(">f", x))[0]
    b = Block(138)
    if u["accessories"]:
        b.stext(0, 12, "CT-METER-1")
        b.text(12, 8, "M0042117")
        b.u16(20, 0b101)            # online, state 1
        b.u32(22, 1700000000)
        b.u32(26, f32(u["grid_v"]))
        b.u32(30, f32(1.3))
        b.u32(34, f32(298.0))
        b.u32(114, f32(298.0))
        b.u32(130, f32(u["grid_hz"]))
        b.u32(134, f32(1523.4))
    return b


def inv_base_settings(u):
    """Block 2000 on whole registers, as Bluetooth libraries address it on
    real units (2011 AC output, 2012 DC output, 2014/2015 DC ECO, 2017/2018
    AC ECO, 2020 charging mode, 2021 power lifting, 2022/2023 SOC limits);
    the other switches sit on the registers the same shift gives the
    reference's offsets (its byte o moves to register 2000 + (o + 9) / 2)."""
    b = Block(136)
    b.u8(10, 1)                     # inverter address (high byte of 2005)
    b.u8(11, 1)                     # working mode (low byte of 2005)
    b.u16(14, 1)                    # LED
    b.u16(16, 1)                    # grid charging allowed
    b.u16(18, 1)                    # PV input
    b.u16(20, 1)                    # inverter
    b.u16(22, 1 if u["ac_on"] else 0)
    b.u16(24, 1 if u["dc_on"] else 0)
    b.u16(28, 1)                    # DC ECO on
    b.u16(30, 2)                    # after 2 hours
    b.u16(32, 5)                    # below 5 W
    b.u16(34, 0)                    # AC ECO off
    b.u16(36, 4)
    b.u16(38, 25)
    b.u16(40, u["charging_mode"])
    b.u16(42, 0)                    # power lifting off
    b.u16(44, 10)                   # SOC low limit
    b.u16(46, 100)                  # SOC high limit
    return b


def inv_adv_settings(u):
    """Block 2200 at the reference's offsets: the u16 fields sit on odd
    offsets and straddle registers (no real-unit map covers the block)."""
    b = Block(28)
    b.text(0, 8, "")                # advanced password: empty (sensitive)
    b.u8(9, 1)                      # grid connection
    b.u8(11, 0)                     # feed-in off (portable unit)
    b.u16(13, d10(u["out_v"]))
    b.u16(15, int(u["out_hz"] * 100 + 0.5))
    b.u16(17, d10(u["max_chg_v"]))
    b.u16(19, d10(u["max_chg_a"]))
    b.u16(21, u["inv_w"])
    b.u16(23, d10(15.0 if u["out_v"] < 200 else 10.0))
    b.u16(25, 0)
    return b


def cert_settings(u):
    """Block 2400 at the reference's (odd, straddling) offsets."""
    b = Block(10)
    b.u8(0, 0)
    b.u16(1, d10(u["grid_v"] * 0.5))  # under-voltage stage 2
    b.u16(3, 200)
    b.u16(5, 100)                   # power factor 1.00
    b.u16(7, 1)
    b.u8(9, 0)
    return b


def total_energy(u):
    b = Block(96)
    t = u["totals"]
    b.u8(1, 1)
    b.u32(2, d10(t["dsg"]))
    b.u16(6, 2024)
    b.u32(8, d10(t["dsg"] * 0.62))
    b.u16(12, 2025)
    b.u32(14, d10(t["dsg"] * 0.38))
    return b


def curr_year_energy(u):
    b = Block(118)                  # header, 12 months, 31 days
    t = u["totals"]["dsg"] * 0.38
    b.u8(1, 1)
    b.u16(2, 2025)
    b.u32(4, d10(t))
    for m, share in enumerate([0.18, 0.21, 0.27, 0.34]):
        b.u32(8 + 4 * m, d10(t * share))
    for d in range(12):
        b.u16(56 + 2 * d, d10(t * 0.34 / 12 * (0.7 + 0.05 * d)))
    return b


def pack_main(u):
    """Block 6000. SOC at byte 11 and SOH at 13, as a Bluetooth decoder
    reads them on a real unit (one-byte fields are the low byte of their
    register); byte 10 stays 0."""
    b = Block(64)
    b.u16(0, 2 if u["pack_v"] > 30 else 1)
    b.u8(3, 1)
    b.u16(4, 1)
    b.u16(6, d10(u["pack_v"]))
    b.i16(8, d10(u["pack_a"]))
    b.u8(11, u["soc"])
    b.u8(13, u["soh"])
    b.u16(14, temp(u["temp_c"]))
    b.u8(17, 1)
    b.u8(19, u["chg_status"])
    b.u16(20, d10(u["max_chg_v"]))
    b.u16(22, d10(u["max_chg_a"]))
    b.u16(24, d10(u["max_dsg_a"]))
    b.u16(32, 3)
    b.u16(34, u["to_full"])
    b.u16(36, u["to_empty"])
    b.u16(38, u["cells"])
    b.u16(40, u["cycles"])
    b.u16(50, temp(u["temp_c"] + 2))
    b.u16(52, temp(u["temp_c"] - 2))
    b.u16(62, 0)
    return b


def pack_item(u):
    """Block 6100: the fixed 160 bytes, then the variable part the app
    parses (firmware entries, cell words, one-byte temperatures), 236
    bytes in all."""
    b = Block(236)
    b.u8(1, 1)
    b.stext(2, 12, u["pack_type"])
    b.text(14, 8, u["pack_sn"])
    b.u16(22, d10(u["pack_v"]))
    b.i16(24, d10(u["pack_a"]))
    b.u8(27, u["soc"])
    b.u8(29, u["soh"])
    b.u16(30, temp(u["temp_c"]))
    b.u8(49, 1)
    b.u8(51, u["chg_status"])
    b.u8(59, 1)
    b.u8(105, u["cells"])
    b.u8(107, u["ntc"])
    b.u8(109, 1)
    b.u16(110, 0)
    b.u16(138, 0)
    b.u8(143, 1)
    b.u32(150, 1014)               # BMS firmware (register 6175)
    fw = [(1, 1014), (2, 1003)]
    b.u8(159, len(fw))
    for k, (mod, ver) in enumerate(fw):
        b.u16(160 + 6 * k, mod)
        b.u32(162 + 6 * k, ver)
    cells = 160 + 6 * len(fw)
    for i in range(u["cells"]):
        b.u16(cells + 2 * i, cell_mv(u, i))   # status bits 14-15 = 0
    temps = cells + 2 * u["cells"]
    for i in range(u["ntc"]):
        b.u8(temps + i, temp(u["temp_c"] + i - 1))
    return b


def cell_mv(u, i):
    return u["cell_mv"] + (7 * i) % 11 - 5


def pack_cells(u):
    """Block 6300 as probed on a real Elite 200 V2: cell count, sensor
    count, cell voltages in mV, temperatures as bytes then as words."""
    n, t = u["cells"], u["ntc"]
    size = max(26, 4 + 2 * n + t + 2 * t)
    size += size % 2
    b = Block(size)
    b.u16(0, n)
    b.u16(2, t)
    for i in range(n):
        b.u16(4 + 2 * i, cell_mv(u, i))
    base = 4 + 2 * n
    for i in range(t):
        b.u8(base + i, temp(u["temp_c"] + i - 1))
    for i in range(t):
        b.u16(base + t + 2 * i, temp(u["temp_c"] + i - 1))
    return b


def pack_settings(u):
    b = Block(12)
    b.u8(0, 1)
    b.u16(1, 1)
    b.u8(3, 0)
    b.u8(11, 1)
    return b


def iot_info(u):
    b = Block(38)
    b.stext(0, 12, u["iot_model"])
    b.text(12, 8, u["iot_sn"])
    b.text(20, 8, "")
    b.u32(28, 2012)
    b.u32(32, 1003)
    b.u16(36, 1)
    return b


def iot_wifi(u):
    b = Block(98)
    b.text(0, 64, u["wifi"])
    b.text(64, 32, "")             # password left empty in the images
    b.u8(96, 0)
    b.u8(97, 0)
    return b


def iot_enable(u):
    b = Block(4)
    b.u16(0, 1)                    # Wi-Fi station
    b.u16(2, 1 << 3)               # default mode
    return b


def smart_plug_info(u):
    b = Block(26)
    if u["accessories"]:
        b.stext(0, 12, "SP-1")
        b.text(12, 8, "S0013552")
        b.u32(20, 1005)
        b.u16(24, 1)
    return b


def smart_plug_settings(u):
    b = Block(56)
    if u["accessories"]:
        b.u16(0, 0x0003)
        b.u16(2, 1)
        b.u16(12, 2000)
        b.u16(14, 5)
        b.u16(16, 1)
    return b


def dcdc_info(u):
    b = Block(30)
    if u["accessories"]:
        b.stext(0, 12, "DC-DC-800")
        b.text(12, 8, "D0021183")
        b.u16(20, d10(13.8))
        b.u16(22, d10(u["pack_v"]))
        b.u16(24, 0)
        b.u16(26, 0)
    return b


def dcdc_settings(u):
    b = Block(36)
    if u["accessories"]:
        b.u16(0, 0x8000)           # DC-DC enabled (enable-list chunk 0 = 1)
        b.u16(2, d10(13.2))
        b.u16(4, 80)
        b.u16(6, d10(12.0))
        b.u16(10, d10(24.0))
        b.u16(12, d10(8.0))
    return b


def dc_hub_info(u):
    b = Block(68)
    if u["accessories"]:
        b.stext(0, 12, "DC-HUB")
        b.text(12, 8, "H0004417")
        b.u16(20, 24)
        b.u16(22, 132)
        b.u16(24, 18)
        b.u16(26, 22)
        b.u16(28, 120)
        b.u16(30, 18)
        b.u16(44, 5)
        b.u16(46, 50)
        b.u16(50, 17)
        b.u16(52, 90)
    return b


def dc_hub_settings(u):
    b = Block(2)
    if u["accessories"]:
        b.u16(0, 0b11)
    return b


def ats_info(u):
    b = Block(26)
    if u["accessories"]:
        b.stext(0, 12, "ATS-1")
        b.text(12, 8, "A0000871")
        b.u8(21, 1)
        b.u32(22, 1009)
    return b


def at1_base_info(u):
    b = Block(26)
    if u["accessories"]:
        b.stext(0, 12, "AT1")
        b.text(12, 8, "T0000871")
        b.u32(22, 1011)
    return b


def ats_event_ext(u):
    b = Block(182)
    if u["accessories"]:
        # enable-list chunks: chunk i is bits 15-2i (value 1) and 14-2i (value 2)
        b.u16(0, 0x0200)            # charge from grid: chunk 3 = 1
        b.u16(2, 0x0000)            # feed to grid: off
        b.u16(18, 0x8000)           # PCS 1 type: chunk 0 = 1
        b.u16(20, 0x8000)           # grid port type: chunk 0 = 1
        b.u16(22, 0x8000)           # grid port linkage: chunk 0 = 1
        b.u16(84, 100)
        b.u16(86, 16)
        b.u16(88, 16)
        b.u16(90, 16)
        b.u16(92, 16)
        b.u8(94, 30)
        b.u8(95, 30)
        b.u16(174, 0x1234)
        b.u16(176, (1 << 3) | 2)
        b.u8(178, 95)
        b.u8(179, 20)
        b.u8(181, 15)
    return b


def epad_info(u):
    b = Block(38)
    if u["accessories"]:
        for k, (lvl, t, cap) in enumerate([(612, 215, 61), (340, 221, 34), (0, 0, 0)]):
            b.u16(12 + 2 * k, lvl)
            b.u16(18 + 2 * k, t)
            b.u16(24 + 2 * k, cap)
        b.u16(30, 0b011)
        b.u16(32, 223)
        b.u16(34, 224)
        b.u16(36, 0)
    return b


def epad_settings(u):
    b = Block(152)
    if u["accessories"]:
        b.u16(0, 0b011)
        for k in range(2):
            base = 2 + 14 * k
            b.u16(base, 1)
            b.u16(base + 2, 1)
            b.u16(base + 4, 1)
            b.u16(base + 6, 100)
            b.u16(base + 8, 60)
            b.u16(base + 10, 120)
            b.u16(base + 12, 3900)
        for k in range(3):
            base = 98 + 10 * k
            b.i16(base, 0)
            b.u16(base + 2, 100)
            b.u16(base + 4, 1)
            b.u16(base + 6, 10000)
            b.u16(base + 8, 3950)
        b.u16(150, 30)
    return b


def epad_point(u, volume, level):
    b = Block(2)
    if u["accessories"]:
        b.u8(0, volume)
        b.u8(1, level)
    return b


def soc_settings(u):
    def pair(off_soc, off_en, on_soc, on_en):
        return off_soc | (off_en << 7) | (on_soc << 8) | (on_en << 15)
    b = Block(12)
    b.u16(0, pair(90, 1, 20, 1))
    b.u16(2, pair(100, 0, 30, 0))
    b.u16(4, pair(5, 1, 10, 1))
    return b


def comm_delay(u):
    return Block(16)


def scheduled_backup(u):
    b = Block(38)
    b.u16(0, 0)
    b.u16(2, 0)
    b.u16(4, 0)
    return b


def timer_settings(u):
    """Registers 19300-19324: the timer header (10 bytes) followed by the
    first task (block 19305, 40 bytes) in the same register space."""
    b = Block(50)
    b.u16(0, 0x4000)                # timer 0 enabled
    b.u8(9, 1)
    t = 10                          # block 19305 byte 0
    b.u16(t + 0, 1)
    b.u8(t + 2, 1)
    b.u8(t + 4, 0)
    b.u8(t + 6, 6)
    b.u8(t + 8, 0)
    b.u16(t + 10, 0b0111110)        # Monday to Friday
    b.u8(t + 12, 1)                 # grid charge
    b.u16(t + 14, min(800, u["inv_w"]))
    b.u8(t + 16, 1)
    return b


def at1_timer(u, first):
    b = Block(8)
    if u["accessories"]:
        b.u16(0, 0b0111110 | (1 << 8))
        b.u8(2, 7 + first)
        b.u8(3, 30)
    return b


def tou_time(u):
    b = Block(14)
    b.u16(10, 2022)                # acts on the SOC low limit register
    b.u16(12, 20)
    return b


def boot_upgrade(u):
    b = Block(4)
    b.u16(0, 1)
    b.u16(2, 3)
    return b


def boot_software(u):
    b = Block(10)
    b.u16(0, 1)
    b.u32(2, 1020)
    return b


def home_storage(u):
    b = Block(24)
    b.u16(2, 0)
    b.u16(4, u["inv_w"])
    b.u16(6, 0)
    b.u16(8, 0)
    b.u16(10, 0)
    v = u["grid_v"]
    b.u16(12, d10(v * 0.85))
    b.u16(14, 1500)
    b.u16(16, d10(v * 0.5))
    b.u16(18, 200)
    b.u16(20, d10(v * 1.1))
    b.u16(22, 1500)
    return b


BLOCKS = [
    (1, "BASE_CONFIG (not in the catalog; protocol version at byte 30)", base_config),
    (100, "APP_HOME_DATA", home_data),
    (720, "OTA_STATUS", ota_status),
    (1100, "INV_BASE_INFO", inv_base_info),
    (1300, "INV_GRID_INFO", inv_grid_info),
    (1400, "INV_LOAD_INFO", inv_load_info),
    (1500, "INV_INV_INFO", inv_inv_info),
    (1700, "METER_INFO", meter_info),
    (2000, "INV_BASE_SETTINGS", inv_base_settings),
    (2200, "INV_ADV_SETTINGS", inv_adv_settings),
    (2400, "CERT_SETTINGS", cert_settings),
    (3500, "TOTAL_ENERGY_INFO", total_energy),
    (3600, "CURR_YEAR_ENERGY", curr_year_energy),
    (6000, "PACK_MAIN_INFO", pack_main),
    (6100, "PACK_ITEM_INFO", pack_item),
    (6300, "PACK_BMU_READ (cell data, as probed on a real unit)", pack_cells),
    (7000, "PACK_SETTINGS", pack_settings),
    (11000, "IOT_INFO", iot_info),
    (12002, "IOT_WIFI_SETTINGS", iot_wifi),
    (12161, "IOT_ENABLE_INFO", iot_enable),
    (14500, "SMART_PLUG_INFO", smart_plug_info),
    (14700, "SMART_PLUG_SETTINGS", smart_plug_settings),
    (15500, "DC_DC_INFO", dcdc_info),
    (15600, "DC_DC_SETTINGS", dcdc_settings),
    (15700, "DC_HUB_INFO", dc_hub_info),
    (15750, "DC_HUB_SETTINGS", dc_hub_settings),
    (17000, "ATS_INFO", ats_info),
    (17100, "AT1_BASE_INFO", at1_base_info),
    (17400, "ATS_EVENT_EXT", ats_event_ext),
    (18000, "EPAD_INFO", epad_info),
    (18300, "EPAD_SETTINGS", epad_settings),
    (18400, "EPAD_LIQUID_POINT1", lambda u: epad_point(u, 10, 12)),
    (18500, "EPAD_LIQUID_POINT2", lambda u: epad_point(u, 20, 25)),
    (18600, "EPAD_LIQUID_POINT3", lambda u: epad_point(u, 0, 0)),
    (19000, "SOC_SETTINGS", soc_settings),
    (19100, "COMM_DELAY_SETTINGS", comm_delay),
    (19200, "SCHEDULED_BACKUP", scheduled_backup),
    (19300, "TIMER_SETTINGS + TIMER_TASK_LIST (19305 starts at byte 10)", timer_settings),
    (19365, "AT1_TIMER_EVENT_A", lambda u: at1_timer(u, 0)),
    (19425, "AT1_TIMER_EVENT_B", lambda u: at1_timer(u, 2)),
    (19485, "AT1_TIMER_EVENT_C", lambda u: at1_timer(u, 4)),
    (26001, "TOU_TIME_INFO", tou_time),
    (29770, "BOOT_UPGRADE_SUPPORT", boot_upgrade),
    (29772, "BOOT_SOFTWARE_INFO", boot_software),
    (40127, "HOME_STORAGE_SETTINGS", home_storage),
]


def hex_lines(data):
    """16 registers per line, registers separated by spaces."""
    regs = [data[i:i + 2].hex() for i in range(0, len(data), 2)]
    return [" ".join(regs[i:i + 16]) for i in range(0, len(regs), 16)]


def image(key):
    u = derived(dict(UNITS[key]))
    ranges = []
    for start, name, fn in BLOCKS:
        data = bytes(fn(u).b)
        lines = hex_lines(data)
        ranges.append({"start": start, "name": name, "hex": lines if len(lines) > 1 else lines[0]})
    return {
        "model": u["model"],
        "aliases": u["aliases"],
        "serial": u["serial"],
        "protocol_version": u["protocol"],
        "address": 1,
        "description": u["description"],
        "note": "generated by make-images.py; edit that script, not this file",
        "ranges": ranges,
    }


def main():
    for key in UNITS:
        path = os.path.join(HERE, key + ".json")
        with open(path, "w", encoding="ascii") as f:
            json.dump(image(key), f, indent=2)
            f.write("\n")
        print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
