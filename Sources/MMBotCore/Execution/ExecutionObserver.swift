/// Watches an `ExecutionLoop` from its own thread. The loop calls it after every iteration and
/// once after shutdown; an observer that publishes must decide cheaply whether to (the loop
/// runs about a million symbol-iterations a second in virtual time).
package protocol ExecutionObserver: AnyObject {
    func loopDidIterate(_ loop: ExecutionLoop)
    /// After the shutdown cancels: the run's final state.
    func loopDidFinish(_ loop: ExecutionLoop)
}
