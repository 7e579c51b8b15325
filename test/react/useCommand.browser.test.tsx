import { act } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { useCommand, type Command, type CommandOutcome } from '../../src/react'
import { deferred, render } from './support'

/** Renders a command's state and hands the test its handle. */
async function mountCommand<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const handle: { current: Command<A, R> | null } = { current: null }
  const renders = { count: 0 }
  function Control() {
    renders.count++
    const command = useCommand(fn)
    handle.current = command
    return <p>{command.pending ? 'pending' : command.error ? `failed: ${(command.error as Error).message}` : 'idle'}</p>
  }
  const view = await render(<Control />)
  return { view, renders, command: () => handle.current! }
}

describe('useCommand', () => {
  it('is pending while the command runs, then done with its value', async () => {
    const gate = deferred<string>()
    const { view, command } = await mountCommand(() => gate.promise)
    expect(view.text()).toBe('idle')
    let outcome!: Promise<CommandOutcome<string>>
    act(() => {
      outcome = command().run()
    })
    expect(view.text()).toBe('pending')
    await act(async () => gate.resolve('saved'))
    expect(view.text()).toBe('idle')
    await expect(outcome).resolves.toEqual({ ok: true, value: 'saved', superseded: false })
  })

  it('keeps a failure as its error, resolves with it, and clears it on the next run', async () => {
    const gates = [deferred<void>(), deferred<void>()]
    let call = 0
    const { view, command } = await mountCommand(() => gates[call++]!.promise)
    const failure = new Error('out of stock')
    let outcome!: Promise<CommandOutcome<void>>
    act(() => {
      outcome = command().run()
    })
    await act(async () => gates[0]!.reject(failure))
    expect(view.text()).toBe('failed: out of stock')
    expect(command().error).toBe(failure)
    await expect(outcome).resolves.toEqual({ ok: false, error: failure, superseded: false })
    act(() => void command().run())
    expect(view.text()).toBe('pending')
    await act(async () => gates[1]!.resolve())
    expect(view.text()).toBe('idle')
  })

  it('a function that throws at once fails the run like a rejection', async () => {
    const { view, command } = await mountCommand((): Promise<void> => {
      throw new Error('refused')
    })
    await act(async () => void (await command().run()))
    expect(view.text()).toBe('failed: refused')
  })

  it('of overlapping runs, the latest one decides the state, whichever ends first', async () => {
    const gates = new Map<string, ReturnType<typeof deferred<string>>>([
      ['first', deferred<string>()],
      ['second', deferred<string>()],
    ])
    const { view, command } = await mountCommand((name: string) => gates.get(name)!.promise)
    let first!: Promise<CommandOutcome<string>>
    let second!: Promise<CommandOutcome<string>>
    act(() => {
      first = command().run('first')
      second = command().run('second')
    })
    // The second ends first: done. The first then fails late, and changes nothing.
    await act(async () => gates.get('second')!.resolve('two'))
    expect(view.text()).toBe('idle')
    await act(async () => gates.get('first')!.reject(new Error('stale')))
    expect(view.text()).toBe('idle')
    await expect(first).resolves.toMatchObject({ ok: false, superseded: true })
    await expect(second).resolves.toEqual({ ok: true, value: 'two', superseded: false })
  })

  it('stays pending while the latest run is under way, even when an earlier one ends', async () => {
    const gates = [deferred<void>(), deferred<void>()]
    let call = 0
    const { view, command } = await mountCommand(() => gates[call++]!.promise)
    act(() => {
      void command().run()
      void command().run()
    })
    await act(async () => gates[0]!.resolve())
    expect(view.text()).toBe('pending')
    await act(async () => gates[1]!.reject(new Error('the latest failed')))
    expect(view.text()).toBe('failed: the latest failed')
  })

  it('reset clears the error and lets no run under way change the state', async () => {
    const gates = [deferred<void>(), deferred<void>()]
    let call = 0
    const { view, command } = await mountCommand(() => gates[call++]!.promise)
    act(() => void command().run())
    await act(async () => gates[0]!.reject(new Error('nope')))
    act(() => command().reset())
    expect(view.text()).toBe('idle')
    let late!: Promise<CommandOutcome<void>>
    act(() => {
      late = command().run()
      command().reset()
    })
    await act(async () => gates[1]!.reject(new Error('too late')))
    expect(view.text()).toBe('idle')
    await expect(late).resolves.toMatchObject({ ok: false, superseded: true })
  })

  it('runs the function of the latest render, through a run that stays the same', async () => {
    const calls: string[] = []
    let run: ((...args: []) => Promise<unknown>) | null = null
    const runs = new Set<unknown>()
    function Control({ name }: { name: string }) {
      const command = useCommand(async () => void calls.push(name))
      run = command.run
      runs.add(command.run)
      return null
    }
    const view = await render(<Control name="one" />)
    await view.rerender(<Control name="two" />)
    await act(async () => void (await run!()))
    expect(calls).toEqual(['two'])
    expect(runs.size).toBe(1)
  })

  it('a run that ends after its component unmounted still resolves, and updates nothing', async () => {
    const gate = deferred<string>()
    const { view, renders, command } = await mountCommand(() => gate.promise)
    let outcome!: Promise<CommandOutcome<string>>
    act(() => {
      outcome = command().run()
    })
    view.unmount()
    const rendered = renders.count
    const errors = vi.spyOn(console, 'error')
    await act(async () => gate.resolve('kept'))
    await expect(outcome).resolves.toEqual({ ok: true, value: 'kept', superseded: false })
    expect(renders.count).toBe(rendered)
    expect(errors).not.toHaveBeenCalled()
    errors.mockRestore()
  })
})
