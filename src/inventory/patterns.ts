/** The string formats of the inventory, shared by the schema and the messages that explain them. */
export const NAME_PATTERN = '^[a-z0-9-]+$';
export const ADDRESS_PATTERN = '^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$';
export const CIDR_PATTERN = '^[0-9A-Fa-f.:]+/[0-9]{1,3}$';
export const NODE_ID_PATTERN = '^[0-9a-f]{40}$';
export const PEER_PATTERN = '^[0-9a-f]{40}@[A-Za-z0-9.:\\[\\]-]+:[0-9]{1,5}$';
export const HOST_PORT_PATTERN = '^[A-Za-z0-9.\\[\\]:-]+:[0-9]{1,5}$';
export const SSH_KEY_PATTERN =
  '^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\\.com|sk-ecdsa-sha2-nistp256@openssh\\.com) [A-Za-z0-9+/=.]+( .*)?$';
