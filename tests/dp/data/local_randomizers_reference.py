# Reference values for the local randomizers, from the papers' formulas in exact fractions / mpmath.
from fractions import Fraction as F
from itertools import product
import mpmath as mp, json
mp.mp.dps = 40
def rappor_stars(f,p,q):
    return (f/2*(p+q)+(1-f)*q, f/2*(p+q)+(1-f)*p)
out = {}
cases = [("chrome", F(1,2),F(1,2),F(3,4),2), ("h1", F(1,4),F(1,4),F(3,4),1), ("f0", F(0),F(1,4),F(3,4),1), ("h4", F(1,10),F(1,3),F(2,3),4)]
for name,f,p,q,h in cases:
    qs,ps = rappor_stars(f,p,q)
    e1 = h*mp.log(mp.mpf((qs*(1-ps)).numerator*(ps*(1-qs)).denominator)/mp.mpf((qs*(1-ps)).denominator*(ps*(1-qs)).numerator))
    einf = 2*h*mp.log(mp.mpf((2-f).numerator*f.denominator)/mp.mpf((2-f).denominator*f.numerator)) if f>0 else mp.inf
    out["rappor_"+name] = dict(f=str(f),p=str(p),q=str(q),hashes=h,epsilon_one=float(e1), epsilon_permanent=(float(einf) if f>0 else None),
        q_star=str(qs), p_star=str(ps))
# Exact one-report posterior of the tryout: prior {7/10,1/5,1/10}, target value 'current' (index 2);
# each value sets its own 2 bits (6 bits), every 6-bit output enumerated, max posterior of value 2.
def max_posterior(prior, target, one, zero, h):
    d = len(prior); best = F(0)
    for bits in product([0,1], repeat=d*h):
        joint = []
        for u in range(d):
            l = F(1)
            for v in range(d):
                r = one if v==u else zero
                for j in range(h):
                    b = bits[v*h+j]; l *= r if b else 1-r
            joint.append(prior[u]*l)
        post = joint[target]/sum(joint)
        best = max(best, post)
    return best
prior=[F(7,10),F(1,5),F(1,10)]
qs,ps = rappor_stars(F(1,2),F(1,2),F(3,4))
out["tryout_one_report_posterior"] = str(max_posterior(prior,2,qs,ps,2))
out["tryout_permanent_posterior"] = str(max_posterior(prior,2,1-F(1,4),F(1,4),2))
# Variances (Wang et al. 2017 Thm 2, count=0): n*so(1-so)/(st-so)^2
def var(st,so,n): return n*so*(1-so)/(st-so)**2
n=10000; e=mp.mpf(1)
out["oue_variance_eps1_n1e4"] = float(var(mp.mpf(1)/2, 1/(mp.e**e+1), n)); out["oue_closed_form"] = float(n*4*mp.e**e/(mp.e**e-1)**2)
g=4; out["olh_variance_eps1_g4_n1e4"] = float(var(mp.e**e/(mp.e**e+g-1), mp.mpf(1)/g, n)); out["olh_closed_form"]=float(n*(mp.e**e-1+g)**2/((mp.e**e-1)**2*(g-1)))
out["hadamard_variance_eps1_n1e4"] = float(var(mp.e**e/(mp.e**e+1), mp.mpf(1)/2, n))
es=mp.e**(e/2); out["sue_variance_eps1_n1e4"] = float(n*es/(es-1)**2)
# Count-mean sketch (Apple 2017): m=1024, eps=4, n=1e6, count=0
m=1024; c=(mp.e**2+1)/(mp.e**2-1); N=10**6
out["cms_variance_eps4_m1024_n1e6"] = float((mp.mpf(m)/(m-1))**2*(N*(c*c-1)/4 + N*mp.mpf(m-1)/m**2))
print(json.dumps(out, indent=1))
