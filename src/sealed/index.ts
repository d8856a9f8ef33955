// The SealedSecrets library surface, for `import { seal… } from "sealbox"` (re-exported by src/index.ts).
export { hybridDecrypt, hybridEncrypt } from "../core/hybrid.js";
export { checkCertificate, checkPin, loadCertificate, parseCertificate, RENEWAL_PERIOD_DAYS, type CertCheck, type SealingCert } from "./cert.js";
export { fetchControllerCert, loadKubeTarget, reencryptWithController, verifyWithController, type FetchCertOptions, type KubeTarget } from "./kube.js";
export { loadPrivateKeys, parsePrivateKeys, type NamedPrivateKey } from "./keys.js";
export {
  formatManifest,
  parseManifests,
  readSecrets,
  stringifyManifests,
  type ManifestFile,
  type ManifestFormat,
  type SealedSecretManifest,
  type SecretManifest,
} from "./manifest.js";
export { mergeInto, reencrypt, reencryptThrough, rescope, type MergeOptions, type ReencryptOptions, type RescopeOptions } from "./rewrite.js";
export { SCOPES, describeWidening, parseScope, scopeFromAnnotations, scopeLabel, type Scope } from "./scope.js";
export { sealManifests, sealRaw, sealSecret, sealValue, type RawOptions, type SealOptions } from "./seal.js";
export { sealedIdentity, unsealSecret, unsealValues, type SealedIdentity } from "./unseal.js";
