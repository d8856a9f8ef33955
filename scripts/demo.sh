#!/bin/sh
# The README's first quick-start command: sealbox's two jobs on the shipped fixtures, no cluster, no cloud.
set -eu
cd "$(dirname "$0")/.."
sealbox="node bin/sealbox.js"
sops_dir=fixtures/interop/sops
sealed_dir=fixtures/interop/sealed
recipient=$(sed -n 's/^# public key: //p' "$sops_dir/keys.txt")

echo "== 1. SOPS: encrypt a Kubernetes Secret to the fixture age key (values only, keys stay readable)"
$sealbox encrypt --age "$recipient" --encrypted-regex '^(data|stringData)$' "$sops_dir/k8s_secret.plain.yaml" > /tmp/sealbox-demo.enc.yaml
sed -n '1,12p' /tmp/sealbox-demo.enc.yaml
echo "..."
echo "== 2. SOPS: decrypt it again with the fixture identity"
SOPS_AGE_KEY_FILE="$sops_dir/keys.txt" $sealbox decrypt --filename-override demo.yaml /tmp/sealbox-demo.enc.yaml
echo "== 3. SOPS: decrypt a file written by the real sops 3.13.2"
SOPS_AGE_KEY_FILE="$sops_dir/keys.txt" $sealbox decrypt "$sops_dir/config.enc.json"
echo "== 4. Sealed Secrets: seal a Secret with the fixture controller certificate"
$sealbox seal --cert "$sealed_dir/cert.pem" --format yaml "$sealed_dir/data-strict.secret.yaml" > /tmp/sealbox-demo.sealed.yaml
cat /tmp/sealbox-demo.sealed.yaml | cut -c1-100
echo "== 5. Sealed Secrets: recover it offline with the controller's private key (what the controller would create)"
$sealbox unseal --private-key "$sealed_dir/key.pem" /tmp/sealbox-demo.sealed.yaml
rm -f /tmp/sealbox-demo.enc.yaml /tmp/sealbox-demo.sealed.yaml
