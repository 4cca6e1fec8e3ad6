//! The BAOM box under QEMU, for the image tests (`image.rs`, `image_update.rs`): the machine of
//! each architecture, a VM with its monitor and serial console, the phases' clock, and what the
//! tests read off a box's disk.

use baom_e2e::{Endpoint, Lan, bin_dir, get, path_str};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How QEMU runs the image of one architecture.
pub struct Machine {
    pub arch: &'static str,
    pub qemu: &'static str,
    pub args: &'static [&'static str],
    pub firmware: &'static str,
    /// The firmware's variables as installed; each VM gets a copy.
    pub vars: &'static str,
}

pub const AMD64: Machine = Machine {
    arch: "amd64",
    qemu: "qemu-system-x86_64",
    // One virtual CPU: with two, after a system_reset TCG's CPUs come back with unsynchronised
    // TSCs and the kernel runs on the HPET clock, slow to emulate (seen here). The second boot
    // is slower all the same: a one-time cost in the firmware and loader (about 60 s more under
    // TCG here; the third boot is as fast as the first).
    args: &[
        "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "1024", "-vga", "std",
    ],
    firmware: "/usr/share/OVMF/OVMF_CODE_4M.fd",
    vars: "/usr/share/OVMF/OVMF_VARS_4M.fd",
};

pub const ARM64: Machine = Machine {
    arch: "arm64",
    qemu: "qemu-system-aarch64",
    // A Cortex-A72, the Raspberry Pi 4's core; virtio-gpu is the screen the kiosk draws on.
    args: &[
        "-machine",
        "virt",
        "-accel",
        "tcg",
        "-cpu",
        "cortex-a72",
        "-smp",
        "2",
        "-m",
        "1024",
        "-device",
        "virtio-gpu-pci",
        // A hardware watchdog, as the Pi has its bcm2835_wdt (q35 has the chipset's iTCO_wdt).
        "-device",
        "i6300esb",
    ],
    firmware: "/usr/share/AAVMF/AAVMF_CODE.fd",
    vars: "/usr/share/AAVMF/AAVMF_VARS.fd",
};

/// The machine `BAOM_IMAGE_ARCH` names (amd64 when unset).
pub fn machine() -> &'static Machine {
    match std::env::var("BAOM_IMAGE_ARCH").as_deref() {
        Ok("arm64") => &ARM64,
        Ok("amd64") | Err(_) => &AMD64,
        Ok(other) => panic!("BAOM_IMAGE_ARCH={other}: amd64 or arm64"),
    }
}

/// The phases' times, printed as they end and kept for the record.
pub struct Clock {
    start: Instant,
    phase: Instant,
    lines: Vec<String>,
    file: PathBuf,
}

impl Clock {
    pub fn new(file: PathBuf) -> Clock {
        Clock {
            start: Instant::now(),
            phase: Instant::now(),
            lines: Vec::new(),
            file,
        }
    }

    /// A measurement, printed and kept with the phases' times.
    pub fn note(&mut self, line: &str) {
        eprintln!("[image test] {line}");
        self.lines.push(line.to_owned());
    }

    pub fn done(&mut self, what: &str) {
        let line = format!("{what}: {:.1} s", self.phase.elapsed().as_secs_f64());
        eprintln!("[image test] {line}");
        self.lines.push(line);
        self.phase = Instant::now();
        let mut text = self.lines.join("\n");
        text.push_str(&format!(
            "\ntotal so far: {:.1} s\n",
            self.start.elapsed().as_secs_f64()
        ));
        let _ = std::fs::write(&self.file, text);
    }
}

/// QEMU, killed when the test ends however it ends.
pub struct Vm {
    pub child: Child,
    pub monitor: PathBuf,
    pub serial: PathBuf,
}

impl Vm {
    /// Sends a command to QEMU's human monitor and waits for its prompt after it.
    pub fn monitor(&self, command: &str) -> String {
        let mut s = UnixStream::connect(&self.monitor).expect("QEMU monitor socket");
        s.set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut reader = BufReader::new(s.try_clone().expect("clone"));
        let mut banner = Vec::new();
        read_until_prompt(&mut reader, &mut banner);
        s.write_all(format!("{command}\n").as_bytes())
            .expect("monitor write");
        let mut answer = Vec::new();
        read_until_prompt(&mut reader, &mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }

    pub fn serial_log(&self) -> String {
        std::fs::read_to_string(&self.serial).unwrap_or_default()
    }

    /// The bytes the guest has written to its disk since QEMU started (`info blockstats`):
    /// what an SD card in the box would have received.
    pub fn disk_written(&self) -> u64 {
        let stats = self.monitor("info blockstats");
        stats
            .lines()
            .find(|l| l.trim_start().starts_with("virtio0:"))
            .and_then(|l| l.split("wr_bytes=").nth(1))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no wr_bytes for the disk in: {stats}"))
    }
}

pub fn read_until_prompt(reader: &mut impl BufRead, into: &mut Vec<u8>) {
    let mut byte = [0u8; 1];
    while !into.ends_with(b"(qemu) ") {
        match reader.read(&mut byte) {
            Ok(1) => into.push(byte[0]),
            _ => panic!(
                "QEMU's monitor stopped answering: {}",
                String::from_utf8_lossy(into)
            ),
        }
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The one-time password the handover sheet gives `login` (as `provisioning.rs` reads it).
pub fn sheet_password(sheet: &str, login: &str) -> String {
    let row = sheet
        .lines()
        .find(|l| l.contains(&format!("<code class=\"login\">{login}</code>")))
        .expect("a row for the login");
    row.split("<code class=\"password\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("password cell")
        .to_owned()
}

pub fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// Waits until the box answers `/login` over HTTPS trusted by `ca`; panics with the serial
/// console's last lines if it does not within `within`.
pub fn wait_for_https(vm: &mut Vm, lan: &Lan, within: Duration) {
    let end = Instant::now() + within;
    loop {
        if let Ok(r) = get(&Endpoint::Lan(lan.clone()), "/login") {
            assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
            return;
        }
        if let Ok(Some(status)) = vm.child.try_wait() {
            panic!(
                "QEMU exited ({status}); serial console:\n{}",
                vm.serial_log()
            );
        }
        if Instant::now() > end {
            let log = vm.serial_log();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            panic!(
                "no HTTPS answer within {within:?}; serial console ends with:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// How many different colours a PPM screenshot (P6, 8 bits) has.
pub fn colours(ppm: &[u8]) -> usize {
    // Header: "P6\n<w> <h>\n255\n", then RGB triplets.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    let pixels = &ppm[i + 1..];
    let mut seen = std::collections::HashSet::new();
    for p in pixels.chunks_exact(3) {
        seen.insert((p[0], p[1], p[2]));
    }
    seen.len()
}

/// Starts QEMU on `disk` with the LAN's HTTPS forwarded to `port`; `rtc` sets the clock the
/// guest finds at power-on (`-rtc base=…`), as a box with no battery would after a night off.
pub fn boot(work: &Path, disk: &Path, vars: &Path, port: u16, rtc: Option<&str>, log: &str) -> Vm {
    boot_reaching(work, disk, vars, port, rtc, log, None)
}

/// The address a box started with [`boot_reaching`] reaches the host's server at.
pub const HOST_SERVER: &str = "http://10.0.2.100";

/// [`boot`], the guest otherwise cut off from the host, but for one server of the host:
/// [`HOST_SERVER`] (port 80) is relayed to `127.0.0.1:host_port`, one relay per connection
/// (as an update server on the commune's network).
pub fn boot_reaching(
    work: &Path,
    disk: &Path,
    vars: &Path,
    port: u16,
    rtc: Option<&str>,
    log: &str,
    host_port: Option<u16>,
) -> Vm {
    let mut netdev = format!("user,id=lan,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:443");
    if let Some(host_port) = host_port {
        let relay = work.join("relay-to-host");
        std::fs::write(
            &relay,
            format!(
                "#!/bin/bash\n# One guest connection (stdin, stdout) to the host's server.\nexec 3<>/dev/tcp/127.0.0.1/{host_port} || exit 1\ncat <&3 &\ncat >&3\nwait\n"
            ),
        )
        .expect("relay");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&relay, std::fs::Permissions::from_mode(0o755)).expect("mode");
        netdev.push_str(&format!(
            ",guestfwd=tcp:10.0.2.100:80-cmd:{}",
            relay.display()
        ));
    }
    let (monitor, serial) = (work.join("monitor.sock"), work.join(log));
    let _ = std::fs::remove_file(&monitor);
    let m = machine();
    let mut qemu = Command::new(m.qemu);
    qemu.args(m.args)
        .args([
            "-drive",
            &format!("if=pflash,format=raw,readonly=on,file={}", m.firmware),
        ])
        .args([
            "-drive",
            &format!("if=pflash,format=raw,file={}", vars.display()),
        ])
        .args([
            "-drive",
            &format!("if=virtio,format=raw,file={}", disk.display()),
        ])
        .args(["-netdev", &netdev])
        .args(["-device", "virtio-net-pci,netdev=lan"])
        .args(["-display", "none"])
        .args(["-serial", &format!("file:{}", serial.display())])
        .args([
            "-monitor",
            &format!("unix:{},server,nowait", monitor.display()),
        ]);
    if let Some(base) = rtc {
        qemu.args(["-rtc", &format!("base={base},clock=vm")]);
    }
    let child = qemu
        .stdin(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", m.qemu));
    Vm {
        child,
        monitor,
        serial,
    }
}

/// The messages of the journal on a root file system of the disk (`slot` 0 is slot A, the
/// second partition; 1 is slot B), read without mounting it: debugfs copies `/var/log/journal`
/// out, journalctl reads the copy.
pub fn read_journal(work: &Path, disk: &Path, slot: usize) -> String {
    let table = Command::new("sfdisk")
        .args(["-J", path_str(disk)])
        .output()
        .expect("sfdisk");
    let table: serde_json::Value =
        serde_json::from_slice(&table.stdout).expect("sfdisk's JSON partition table");
    let start = table["partitiontable"]["partitions"][1 + slot]["start"]
        .as_u64()
        .expect("the root partition's start");
    let out = work.join(format!("journal-{slot}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("journal directory");
    run(Command::new("debugfs").args([
        "-R",
        &format!("rdump /var/log/journal {}", out.display()),
        &format!("{}?offset={}", disk.display(), start * 512),
    ]));
    let text = Command::new("journalctl")
        .args([
            "--no-pager",
            "-o",
            "cat",
            "-D",
            path_str(&out.join("journal")),
        ])
        .output()
        .expect("journalctl");
    String::from_utf8_lossy(&text.stdout).into_owned()
}

/// The commune's bundle for a test box: the example settings, with services open around the
/// clock so a test can issue a ticket at any hour. Returns the bundle and its handover sheet.
pub fn commune_bundle(repo: &Path, work: &Path) -> (PathBuf, String) {
    commune_bundle_with(repo, work, "")
}

/// [`commune_bundle`] with `extra` settings appended (a section the example leaves out).
pub fn commune_bundle_with(repo: &Path, work: &Path, extra: &str) -> (PathBuf, String) {
    let settings = work.join("commune.toml");
    let mut text = std::fs::read_to_string(repo.join("provisioning/example.toml"))
        .expect("example settings")
        .replace(
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], open = \"08:30\", close = \"16:30\"",
            "days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"], open = \"00:00\", close = \"24:00\"",
        );
    text.push_str(extra);
    std::fs::write(&settings, text).expect("write settings");
    let bundle = work.join("bundle");
    run(Command::new(bin_dir().join("baom-provision")).args([
        "bundle",
        path_str(&settings),
        "--out",
        path_str(&bundle),
    ]));
    let sheet = std::fs::read_to_string(bundle.join("handover.html")).expect("handover sheet");
    (bundle, sheet)
}

/// How many times the firmware has started the disk, by the serial console: a reset or a
/// reboot adds one.
pub fn firmware_starts(log: &str) -> usize {
    log.matches("BdsDxe: starting").count()
}
