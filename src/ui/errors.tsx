import { Component, createContext, useContext, type ReactNode } from 'react'

/** Where a screen sends an error it did not expect; the app then shows the error screen. */
export const UnexpectedErrorContext = createContext<(error: unknown) => void>((error) => {
  throw error
})
export const useUnexpectedError = () => useContext(UnexpectedErrorContext)

export function ErrorScreen({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return (
    <section className="error-screen" role="alert" aria-labelledby="error-title">
      <h1 id="error-title">Something went wrong</h1>
      <p>Your cart and orders are safe: they are saved on this device, and the step that failed saved nothing.</p>
      <details>
        <summary>What happened</summary>
        <pre>{message}</pre>
      </details>
      <div className="actions">
        <button type="button" onClick={onRetry}>
          Try again
        </button>
        <button type="button" onClick={() => window.location.reload()}>
          Reload the app
        </button>
      </div>
    </section>
  )
}

interface BoundaryState {
  error: unknown
}

/** Catches render errors; async failures arrive through UnexpectedErrorContext into the same screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  override state: BoundaryState = { error: null }

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error }
  }

  private readonly report = (error: unknown) => this.setState({ error })

  override render() {
    if (this.state.error !== null) return <ErrorScreen error={this.state.error} onRetry={() => this.setState({ error: null })} />
    return <UnexpectedErrorContext.Provider value={this.report}>{this.props.children}</UnexpectedErrorContext.Provider>
  }
}
