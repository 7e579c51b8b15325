export { createApp, MAX_BODY, type App, type AppOptions } from './app'
export { requireUser, SESSION_COOKIE, type AppEnv, type ClientView } from './session'
export { readJson } from './json'
export { ProtocolError, protocolError } from './errors'
