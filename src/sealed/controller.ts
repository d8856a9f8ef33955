// Where the Sealed Secrets controller runs unless told, as kubeseal decides it. Apart from kube.ts,
// which loads node:https, for init and keygen (the CLI's option defaults write it out, see cert.ts).

export interface ControllerDefaults {
  /** The controller's Service: SEALED_SECRETS_CONTROLLER_NAME, else sealed-secrets-controller. */
  name: string;
  /** Its namespace: SEALED_SECRETS_CONTROLLER_NAMESPACE, else kube-system. */
  namespace: string;
}

export function controllerDefaults(env: NodeJS.ProcessEnv): ControllerDefaults {
  return {
    name: env.SEALED_SECRETS_CONTROLLER_NAME || "sealed-secrets-controller",
    namespace: env.SEALED_SECRETS_CONTROLLER_NAMESPACE || "kube-system",
  };
}
