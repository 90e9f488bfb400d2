# SPDX-License-Identifier: MIT
# Boot a box's disk in QEMU and reach it over SSH (sourced by test-boxes.sh).
# One VM at a time: vm_start sets VM_PID, VM_PORT, VM_CONSOLE and VM_MONITOR.
# The guest sees QEMU user networking with restrict=on: it reaches nothing but the forwarded port.

VM_ACCEL=${ROVE_TEST_ACCEL:-tcg}
VM_PID=
VM_PORT=
SSH_KEY=

now() { date +%s.%N; }
elapsed_since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }

# A TCP port on 127.0.0.1 that nothing listens on (another QEMU may take it first: vm_start retries).
free_port() {
    local port hex
    while :; do
        port=$((20000 + RANDOM % 40000))
        hex=$(printf ':%04X ' "$port")
        grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
    done
    echo "$port"
}

# vm_start DIR KERNEL INITRD CMDLINE DISK MEMORY CPUS [EXTRA QEMU ARGS...]
vm_start() {
    local dir=$1 kernel=$2 initrd=$3 cmdline=$4 disk=$5 memory=$6 cpus=$7
    shift 7
    VM_CONSOLE=$dir/console.log
    VM_MONITOR=$dir/monitor
    rm -f "$VM_MONITOR.in" "$VM_MONITOR.out"
    mkfifo "$VM_MONITOR.in" "$VM_MONITOR.out"
    for _ in 1 2 3 4 5; do
        VM_PORT=$(free_port)
        VM_STARTED=$(now)
        qemu-system-x86_64 -accel "$VM_ACCEL" -machine q35 -cpu max -smp "$cpus" -m "$memory" \
            -no-user-config -nodefaults -display none \
            -serial "file:$VM_CONSOLE" -monitor "pipe:$VM_MONITOR" \
            -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
            -drive "file=$disk,if=virtio,format=qcow2" \
            -netdev "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:$VM_PORT-:22" \
            -device virtio-net-pci,netdev=net0,romfile= \
            -device virtio-rng-pci \
            "$@" >"$dir/qemu.log" 2>&1 &
        VM_PID=$!
        sleep 0.5
        kill -0 "$VM_PID" 2>/dev/null && return 0
        wait "$VM_PID"
        grep -q 'host forwarding' "$dir/qemu.log" || break
    done
    log "qemu did not start: $(cat "$dir/qemu.log")"
    VM_PID=
    return 1
}

# A connection made while the guest reboots can stall with no reset ever coming (the user-mode
# network's end stays open): ServerAlive ends a silent session, and VM_SSH_LIMIT (seconds), set by
# the wait loop below, bounds a whole attempt, handshake included.
vm_ssh() {
    ${VM_SSH_LIMIT:+timeout "$VM_SSH_LIMIT"} ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 \
        -o ServerAliveInterval=5 -o ServerAliveCountMax=6 -i "$SSH_KEY" -p "$VM_PORT" \
        vagrant@127.0.0.1 "$@"
}

vm_sftp() {
    sftp -q -b - -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=ERROR -i "$SSH_KEY" -P "$VM_PORT" vagrant@127.0.0.1
}

# vm_wait_ssh TIMEOUT: until `ssh true` succeeds; prints the seconds since the VM was started.
vm_wait_ssh() {
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$VM_PID" 2>/dev/null || return 1
        if VM_SSH_LIMIT=30 vm_ssh -o ConnectTimeout=2 true 2>/dev/null; then
            elapsed_since "$VM_STARTED"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# vm_wait_exit TIMEOUT: until QEMU has exited (the guest powered off).
vm_wait_exit() {
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        if ! kill -0 "$VM_PID" 2>/dev/null; then
            wait "$VM_PID" 2>/dev/null
            VM_PID=
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# The ACPI power button, as libvirt's graceful shutdown presses it.
vm_press_power_button() {
    echo system_powerdown >"$VM_MONITOR.in"
}

vm_kill() {
    [ -n "$VM_PID" ] || return 0
    kill "$VM_PID" 2>/dev/null
    wait "$VM_PID" 2>/dev/null
    VM_PID=
}

vm_console_tail() {
    log "last lines of the serial console:"
    tail -n 25 "$VM_CONSOLE" 2>/dev/null | sed 's/^/    /' >&2
}
