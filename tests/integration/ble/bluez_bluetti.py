'''BlueZ stand-in with Bluetti stations, for transport-ble's tests.

python-dbusmock's bluez5 template (org.bluez on the system bus), plus one
adapter hci0 and, per station, a device that advertises the ff00 service
(and the BLUETTF manufacturer data when it encrypts) with the GATT service
ff00: writes to ff02 go to a bluetti-sim --ble over its unix socket, and
what the simulator sends comes back as ff01 notifications, through
PropertiesChanged(Value) after StartNotify or through the socket that
AcquireNotify hands out.

Parameters (JSON, -p): {"trace": PATH, "stations": [{"address": ...,
"name": ..., "socket": PATH, "encrypted": bool, "rssi": N,
"write_flags": ["write", "write-without-response"], "acquire": bool}]}
The trace file gets one line per event the tests check ("acquire-notify",
"start-notify", "write request 8", "notify 20", "disconnect").
'''

import socket

import dbus
from gi.repository import GLib

from dbusmock import mockobject
from dbusmock.templates import bluez5
# the template's D-Bus methods (AddAdapter, AddDevice, ...) must be names
# of this module for dbusmock to install them
from dbusmock.templates.bluez5 import (  # noqa: F401
    AddAdapter, AddDevice, ConnectDevice, DisconnectDevice, RemoveAdapter,
    RemoveDevice, StartDiscovery, StopDiscovery, SetDiscoveryFilter,
    BLUEZ_MOCK_IFACE, DEVICE_IFACE)

BUS_NAME = bluez5.BUS_NAME
MAIN_OBJ = bluez5.MAIN_OBJ
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

SERVICE_IFACE = 'org.bluez.GattService1'
CHAR_IFACE = 'org.bluez.GattCharacteristic1'
UUID_SERVICE = '0000ff00-0000-1000-8000-00805f9b34fb'
UUID_NOTIFY = '0000ff01-0000-1000-8000-00805f9b34fb'
UUID_WRITE = '0000ff02-0000-1000-8000-00805f9b34fb'

TRACE = [None]


def trace(line):
    if TRACE[0]:
        with open(TRACE[0], 'a', encoding='utf-8') as f:
            f.write(line + '\n')


def changed(obj, iface, props):
    obj.EmitSignal(dbus.PROPERTIES_IFACE, 'PropertiesChanged', 'sa{sv}as', [iface, props, []])


class Link:
    '''One station's connection to its simulator.'''

    def __init__(self, dev, notify_char, spec):
        self.dev = dev
        self.notify = notify_char
        self.spec = spec
        self.sim = None
        self.watch = None
        self.fd_end = None   # our end of the AcquireNotify socket pair
        self.fd_watch = None

    def open(self):
        if self.sim is None:
            self.sim = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.sim.connect(self.spec['socket'])
            self.watch = GLib.io_add_watch(self.sim.fileno(), GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR,
                                           self.from_sim)

    def from_sim(self, _fd, _cond):
        try:
            data = self.sim.recv(4096)
        except OSError:
            data = b''
        if not data:
            trace('sim closed the link')
            self.watch = None
            self.close(drop=True)
            return False
        trace(f'notify {len(data)}')
        if self.fd_end is not None:
            self.fd_end.send(data)
        else:
            value = dbus.Array(data, signature='y', variant_level=1)
            self.notify.props[CHAR_IFACE]['Value'] = value
            changed(self.notify, CHAR_IFACE, {'Value': value})
        return True

    def from_client_fd(self, _fd, _cond):
        # the client closed its notify socket: notifications off
        trace('notify socket closed by the client')
        self.fd_watch = None
        self.close(drop=False)
        return False

    def close(self, drop):
        if self.watch is not None:
            GLib.source_remove(self.watch)
            self.watch = None
        if self.fd_watch is not None:
            GLib.source_remove(self.fd_watch)
            self.fd_watch = None
        if self.sim is not None:
            self.sim.close()
            self.sim = None
        if self.fd_end is not None:
            self.fd_end.close()
            self.fd_end = None
        if drop and self.dev.connected:
            self.dev.connected = False
            self.dev.props[DEVICE_IFACE]['Connected'] = dbus.Boolean(False, variant_level=1)
            changed(self.dev, DEVICE_IFACE, {'Connected': dbus.Boolean(False, variant_level=1)})
            trace('disconnect')


def device_connect(dev):
    dev.connected = True
    for prop in ('Connected', 'ServicesResolved'):
        dev.props[DEVICE_IFACE][prop] = dbus.Boolean(True, variant_level=1)
    changed(dev, DEVICE_IFACE, {'Connected': dbus.Boolean(True, variant_level=1),
                                'ServicesResolved': dbus.Boolean(True, variant_level=1)})
    trace('connect')


def device_disconnect(dev):
    dev.link.close(drop=False)
    dev.connected = False
    for prop in ('Connected', 'ServicesResolved'):
        dev.props[DEVICE_IFACE][prop] = dbus.Boolean(False, variant_level=1)
    changed(dev, DEVICE_IFACE, {'Connected': dbus.Boolean(False, variant_level=1)})
    trace('disconnect by the client')


def start_notify(char):
    link = char.link
    link.open()
    char.props[CHAR_IFACE]['Notifying'] = dbus.Boolean(True, variant_level=1)
    trace('start-notify')


def stop_notify(char):
    char.link.close(drop=False)
    char.props[CHAR_IFACE]['Notifying'] = dbus.Boolean(False, variant_level=1)
    trace('stop-notify')


def acquire_notify(char, _options):
    link = char.link
    if not link.spec.get('acquire', True):
        raise dbus.exceptions.DBusException('AcquireNotify not offered',
                                            name='org.bluez.Error.NotSupported')
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    link.fd_end = ours
    link.fd_watch = GLib.io_add_watch(ours.fileno(), GLib.IO_HUP | GLib.IO_ERR, link.from_client_fd)
    link.open()
    fd = dbus.types.UnixFd(theirs.fileno())
    theirs.close()
    trace('acquire-notify')
    return (fd, dbus.UInt16(23))


def write_value(char, value, options):
    kind = str(options.get('type', 'request'))
    flags = [str(f) for f in char.props[CHAR_IFACE]['Flags']]
    need = 'write' if kind == 'request' else 'write-without-response'
    if need not in flags:
        trace(f'write {kind} refused')
        raise dbus.exceptions.DBusException(f'{kind} writes are not allowed',
                                            name='org.bluez.Error.NotPermitted')
    link = char.link
    if link.sim is None:
        raise dbus.exceptions.DBusException('Not connected', name='org.bluez.Error.Failed')
    link.sim.send(bytes(value))
    trace(f'write {kind} {len(value)}')


def add_station(mock, spec):
    path = AddDevice(mock, 'hci0', spec['address'], spec['name'])
    dev = mockobject.objects[path]
    props = dev.props[DEVICE_IFACE]
    props['UUIDs'] = dbus.Array([UUID_SERVICE], signature='s', variant_level=1)
    props['RSSI'] = dbus.Int16(spec.get('rssi', -60), variant_level=1)
    mfr = {}
    if spec.get('encrypted'):
        mfr[dbus.UInt16(0x4C42)] = dbus.Array(b'BLUETTF', signature='y', variant_level=1)
    props['ManufacturerData'] = dbus.Dictionary(mfr, signature='qv', variant_level=1)
    dev.AddMethod(DEVICE_IFACE, 'Connect', '', '', device_connect)
    dev.AddMethod(DEVICE_IFACE, 'Disconnect', '', '', device_disconnect)

    svc_path = path + '/service0010'
    mock.AddObject(svc_path, SERVICE_IFACE, {
        'UUID': dbus.String(UUID_SERVICE, variant_level=1),
        'Device': dbus.ObjectPath(path, variant_level=1),
        'Primary': dbus.Boolean(True, variant_level=1),
    }, [])
    notify_path = svc_path + '/char0011'
    mock.AddObject(notify_path, CHAR_IFACE, {
        'UUID': dbus.String(UUID_NOTIFY, variant_level=1),
        'Service': dbus.ObjectPath(svc_path, variant_level=1),
        'Flags': dbus.Array(['notify'], signature='s', variant_level=1),
        'Value': dbus.Array([], signature='y', variant_level=1),
        'Notifying': dbus.Boolean(False, variant_level=1),
    }, [
        ('StartNotify', '', '', start_notify),
        ('StopNotify', '', '', stop_notify),
        ('AcquireNotify', 'a{sv}', 'hq', acquire_notify),
    ])
    write_path = svc_path + '/char0014'
    mock.AddObject(write_path, CHAR_IFACE, {
        'UUID': dbus.String(UUID_WRITE, variant_level=1),
        'Service': dbus.ObjectPath(svc_path, variant_level=1),
        'Flags': dbus.Array(spec.get('write_flags', ['write', 'write-without-response']),
                            signature='s', variant_level=1),
    }, [
        ('WriteValue', 'aya{sv}', '', write_value),
    ])
    notify_char = mockobject.objects[notify_path]
    link = Link(dev, notify_char, spec)
    dev.link = link
    notify_char.link = link
    mockobject.objects[write_path].link = link


def load(mock, parameters):
    bluez5.load(mock, parameters)
    # the command line registers the main object only after load(); the
    # template's helpers signal through it
    mockobject.objects[MAIN_OBJ] = mock
    TRACE[0] = parameters.get('trace')
    AddAdapter(mock, 'hci0', 'bluetti-test')
    for spec in parameters.get('stations', []):
        add_station(mock, spec)
    if TRACE[0]:
        trace('ready')
