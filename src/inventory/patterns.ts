/** The string formats of the inventory, shared by the schema and the messages that explain them. */
export const NAME_PATTERN = '^[a-z0-9-]+$';
export const ADDRESS_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$';
export const CIDR_PATTERN = '^[0-9A-Fa-f.:]+/[0-9]{1,3}$';
export const NODE_ID_PATTERN = '^[0-9a-f]{40}$';
/** host:port, the host a DNS name, an IPv4 address or a bracketed IPv6 address (brackets balanced: renderers strip them). */
const HOST_PORT = '([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}';
export const PEER_PATTERN = `^[0-9a-f]{40}@${HOST_PORT}$`;
export const HOST_PORT_PATTERN = `^${HOST_PORT}$`;
export const SSH_KEY_PATTERN =
  '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/=.]+( .*)?$';

/**
 * Formats of the strings that reach rendered files and host scripts. Each is narrow enough that
 * the value is one token in every format it lands in (a unit file, an sshd drop-in, an argv
 * element, a shell word); the renderers quote anyway (src/render/engine.ts).
 */
/** Chain ids and network names: cosmoshub-4, mainnet, preprod, osmosis-1.testnet. */
export const NETWORK_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
/** A POSIX portable user or group name: letters, digits, `.`, `_`, `-`, not starting with `-` or `.`, at most 32. */
export const USER_PATTERN = '^[A-Za-z_][A-Za-z0-9._-]{0,31}$';
/**
 * A path on a host: absolute and normalised (no `.` or `..` segment, no `//`, no trailing `/`
 * but the root itself), of the POSIX portable filename characters (and `+`).
 */
export const HOST_PATH_PATTERN = '^(/|(/(?!\\.\\.?(/|$))[A-Za-z0-9._+-]+)+)$';
/** A client version: one safe token, v0.38.17, 24.10.3, 1.9.2-rc.1+build. */
export const VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$';
/** An http(s) URL with no whitespace; check-fields.ts parses it fully. */
export const HTTP_URL_PATTERN = '^https?://[^\\s]+$';
