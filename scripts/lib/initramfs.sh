# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034,SC2153
# Initramfs helpers for scripts/vmrun. Source after common.sh.
#
# The guest initramfs is two concatenated cpio archives:
#   base-<KVER>.cpio.gz (cached): busybox, merged-/usr layout, and the KVM
#       modules of that kernel, decompressed, with a modules.dep so that
#       `modprobe kvm_amd` works in the guest;
#   overlay (per run, uncompressed): /init, hvpart.ko, hvctl, selftests,
#       their shared libraries, the command to run and --files.
# The kernel unpacks both, the later one on top of the earlier one.

# Paths inside the guest.
HV_GUEST_LIB=/usr/lib/hvpart
HV_GUEST_KO=$HV_GUEST_LIB/hvpart.ko
HV_GUEST_SELFTESTS=$HV_GUEST_LIB/selftests
HV_GUEST_FILES=/mnt/files

# hv_guest_path P: map a host path onto the guest's merged-/usr layout.
hv_guest_path()
{
	case $1 in
	/lib/*|/lib64/*|/bin/*|/sbin/*) printf '/usr%s\n' "$1" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

# hv_find_module MODDIR NAME: print the file of module NAME ('-' == '_').
hv_find_module()
{
	local moddir=$1 want=${2//-/_} f base

	while IFS= read -r f; do
		base=${f##*/}
		base=${base%%.ko*}
		if [[ ${base//-/_} == "$want" ]]; then
			printf '%s\n' "$f"
			return 0
		fi
	done < <(find "$moddir/kernel" -name "*.ko*" \
		\( -name "${2//_/?}.ko*" \))
	return 1
}

# hv_stage_modules MODDIR KVER STAGE NAME...: copy NAME and its dependencies
# (decompressed) into STAGE/usr/lib/modules/KVER, then run depmod there.
hv_stage_modules()
{
	local moddir=$1 kver=$2 stage=$3 name f rel out dep
	local -A seen=()
	local -a todo

	shift 3
	todo=("$@")
	while ((${#todo[@]})); do
		name=${todo[0]//-/_}
		todo=("${todo[@]:1}")
		[[ -n $name && -z ${seen[$name]:-} ]] || continue
		seen[$name]=1
		f=$(hv_find_module "$moddir" "$name") ||
			hv_die "module $name not found in $moddir"
		rel=${f#"$moddir"/}
		out=$stage/usr/lib/modules/$kver/${rel%.ko*}.ko
		mkdir -p "${out%/*}"
		case $f in
		*.ko.xz) xz -dc "$f" >"$out" ;;
		*.ko.zst) zstd -qdc "$f" >"$out" ;;
		*.ko.gz) gzip -dc "$f" >"$out" ;;
		*) cp "$f" "$out" ;;
		esac
		dep=$(modinfo -F depends "$out")
		IFS=, read -ra dep <<<"$dep"
		todo+=("${dep[@]}")
	done
	cp "$moddir/modules.order" "$moddir/modules.builtin" \
		"$moddir/modules.builtin.modinfo" \
		"$stage/usr/lib/modules/$kver/" 2>/dev/null || true
	depmod -b "$stage/usr" "$kver"
}

# hv_initramfs_base VER DIR: build the base archive for kernel VER (short
# name) in DIR (made if missing) unless there is one for the same inputs;
# print its path.
# The name carries a hash of the inputs, so concurrent callers are safe.
hv_initramfs_base()
{
	local ver=$1 dir=$2 out stage key bb=/bin/busybox applet tmp
	local -a mods=("${HVPART_GUEST_MODULES[@]}")

	hv_kernel_vars "$ver"
	[[ $ver != "$HVPART_DEBUG_KERNEL" ]] ||
		mods=("${HVPART_DEBUG_GUEST_MODULES[@]}")
	key="v3 $KVER ${mods[*]} $(stat -c '%s %Y' "$bb")"
	# The debug kernel's release stays the same across rebuilds: its
	# modules are told apart by their build tree (build-<key>).
	[[ $ver != "$HVPART_DEBUG_KERNEL" ]] || key+=" $MODDIR"
	key=$(md5sum <<<"$key")
	out=$dir/base-$KVER-${key:0:12}.cpio.gz
	if [[ -f $out ]]; then
		printf '%s\n' "$out"
		return 0
	fi
	hv_step "building base initramfs for $KVER"
	mkdir -p "$dir"
	stage=$(mktemp -d "$dir/base.XXXXXX")
	mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} \
		"$stage"/{dev,proc,sys,tmp,run,root,etc,mnt/files}
	ln -s usr/bin "$stage/bin"
	ln -s usr/sbin "$stage/sbin"
	ln -s usr/lib "$stage/lib"
	ln -s usr/lib64 "$stage/lib64"
	cp "$bb" "$stage/usr/bin/busybox"
	while IFS= read -r applet; do
		applet=$(hv_guest_path "/$applet")
		[[ -e $stage$applet ]] && continue
		mkdir -p "$stage${applet%/*}"
		ln -s /usr/bin/busybox "$stage$applet"
	done < <("$bb" --list-full)
	echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
	echo 'root:x:0:' >"$stage/etc/group"
	hv_stage_modules "$MODDIR" "$KVER" "$stage" "${mods[@]}"
	tmp=$stage.cpio.gz
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp"
	# The kernel takes an uncompressed cpio after this one only at a
	# 4-byte aligned offset; it skips the zero padding.
	truncate -s %4 "$tmp"
	mv "$tmp" "$out"
	rm -rf "$stage"
	# Drop archives of older inputs for this kernel.
	find "$dir" -maxdepth 1 -name "base-$KVER-*.cpio.gz" ! -path "$out" \
		-delete
	printf '%s\n' "$out"
}

# hv_stage_libs STAGE FILE...: copy the shared libraries (and the dynamic
# loader) that the ELF FILEs need into STAGE. LD_LIBRARY_PATH is honoured,
# so libraries built in the tree are found.
hv_stage_libs()
{
	local stage=$1 f lib dst out
	local -A seen=()

	shift
	for f in "$@"; do
		[[ $(head -c4 "$f" 2>/dev/null | od -An -c | tr -d ' ') == \
			177ELF ]] || continue
		out=$(ldd "$f" 2>&1) || continue	# static: nothing to copy
		if grep -q 'not found' <<<"$out"; then
			hv_die "$f: missing shared libraries:"$'\n'"$out"
		fi
		while read -r lib; do
			[[ -n $lib && -z ${seen[$lib]:-} ]] || continue
			seen[$lib]=1
			dst=$stage$(hv_guest_path "$lib")
			[[ -e $dst ]] && continue
			mkdir -p "${dst%/*}"
			cp -L "$lib" "$dst"
		done < <(sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p;
				s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p' <<<"$out")
	done
}

# hv_cpio DIR OUT: archive DIR's contents (uncompressed newc, owned by root).
hv_cpio()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# The modules of the Linux child's initramfs: the VMBus client, its util,
# storage and network drivers, the SCSI disk driver, ext4 (which mounts
# ext2) and the crc32c it asks the crypto API for (the child has no
# /sbin/modprobe for the kernel to call), with their dependencies; the
# child's init loads them.
HV_CHILD_MODULES=(hv_vmbus hv_utils hv_storvsc sd_mod crc32c_generic ext4
		  hv_netvsc hv_sock)
# And in the bench's child (one with PROGRAMs, below), the virtio drivers
# that its I/O rows' KVM side (QEMU's virtio-blk and virtio-net) needs,
# those of them that the kernel has as modules (6.12 has virtio_pci
# built in).
HV_CHILD_BENCH_MODULES=(virtio_pci virtio_blk virtio_net)

# hv_initramfs_child DIR [PROGRAM...]: build the initramfs of the Linux
# child partition that userspace/tests/vm-linux.sh boots (busybox and
# userspace/tests/linux/init, HV_CHILD_MODULES of kernel $KVER from
# $MODDIR (hv_kernel_vars), userspace/tests/linux/vsock-echo (built here)
# and the static PROGRAMs in /bin: scripts/bench adds
# userspace/bench/clockbench and iobench, and gets HV_CHILD_BENCH_MODULES
# too) in DIR (made if missing) unless there is
# one for the same inputs; print its path.  Named by a hash of its inputs,
# like the base.
hv_initramfs_child()
{
	local dir=$1 init=$HVPART_ROOT/userspace/tests/linux/init
	local vsock=$HVPART_ROOT/userspace/tests/linux/vsock-echo
	local bb=/bin/busybox out stage key tmp name p
	local -a mods=("${HV_CHILD_MODULES[@]}")

	shift
	make -s -C "$HVPART_ROOT/userspace" tests/linux/vsock-echo >&2 ||
		hv_die "building tests/linux/vsock-echo failed"
	set -- "$vsock" "$@"
	name=child
	if (($# > 1)); then
		name=bench-child
		for p in "${HV_CHILD_BENCH_MODULES[@]}"; do
			hv_find_module "$MODDIR" "$p" >/dev/null && mods+=("$p")
		done
	fi
	name+=-$KVER
	key=$(cat "$init" "$@" - <<<"v2 $(stat -c '%s %Y' "$bb") ${*##*/} $KVER ${mods[*]}" |
		md5sum)
	out=$dir/$name-${key:0:12}.cpio.gz
	if [[ -f $out ]]; then
		printf '%s\n' "$out"
		return 0
	fi
	hv_step "building the Linux child's initramfs"
	mkdir -p "$dir"
	stage=$(mktemp -d "$dir/child.XXXXXX")
	mkdir -p "$stage"/{bin,dev,proc,sys,tmp,usr/lib}
	ln -s usr/lib "$stage/lib"
	# A kernel without them (the debug kernel: it runs no Linux child)
	# gets none; the child's init then says so.
	if hv_find_module "$MODDIR" "${HV_CHILD_MODULES[0]}" >/dev/null; then
		hv_stage_modules "$MODDIR" "$KVER" "$stage" "${mods[@]}"
	fi
	cp "$bb" "$stage/bin/busybox"
	install -m 755 "$init" "$stage/init"
	for p in "$@"; do
		install -m 755 "$p" "$stage/bin/${p##*/}"
	done
	tmp=$stage.cpio.gz
	hv_cpio "$stage" /dev/stdout | gzip -9 >"$tmp"
	mv "$tmp" "$out"
	rm -rf "$stage"
	find "$dir" -maxdepth 1 -name "$name-*.cpio.gz" ! -path "$out" -delete
	printf '%s\n' "$out"
}
